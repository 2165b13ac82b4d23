"""CheckpointCheckHook: foreign checkpoints refused, GAP's text branch not."""
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from mmaction_ext.engine import CheckpointCheckHook
from mmaction_ext.utils import CheckpointMismatchError


class TinyGAP(nn.Module):
    """A backbone, a head and a training-only ``gap_head``."""

    def __init__(self, with_gap_head=True):
        super().__init__()
        self.backbone = nn.Linear(4, 4)
        self.cls_head = nn.Linear(4, 3)
        if with_gap_head:
            self.gap_head = nn.Linear(4, 2)


def check(model, state, min_matched=1.0, **meta):
    runner = SimpleNamespace(model=model, _load_from='given.pth')
    CheckpointCheckHook(min_matched).after_load_checkpoint(
        runner, dict(state_dict=state, meta=meta))


def test_own_checkpoint_passes():
    model = TinyGAP()
    check(model, model.state_dict())
    check(model, {f'module.{k}': v for k, v in model.state_dict().items()})


def test_text_branch_is_an_allowed_difference():
    trained, tested = TinyGAP(), TinyGAP(with_gap_head=False)
    check(tested, trained.state_dict())  # checkpoint has gap_head.*
    stripped = TinyGAP(with_gap_head=False).state_dict()
    check(trained, stripped)  # the model has gap_head.*


def test_foreign_checkpoint_names_counts_and_origin():
    state = {'segmentor.w': torch.zeros(2), 'segmentor.b': torch.zeros(2)}
    cfg = "model = dict(type='TRGNet', backbone=dict(type='TRGNetBB'))\n"
    with pytest.raises(
            CheckpointMismatchError,
            match=r'given\.pth does not fit the model TinyGAP: 0 of 4 model '
            r'keys matched \(4 missing.*model TRGNet/TRGNetBB.*'
            r'segmentor\.\* \(2\)'):
        check(TinyGAP(), state, cfg=cfg)


def test_threshold_for_fine_tuning():
    model = TinyGAP()
    state = dict(model.state_dict())
    state['cls_head.weight'] = torch.zeros(7, 4)  # another class count
    state['cls_head.bias'] = torch.zeros(7)
    check(model, state, min_matched=0.5)  # 2 of 4 keys: fine-tuning
    with pytest.raises(CheckpointMismatchError,
                       match='2 of 4 model keys matched .*2 with another'):
        check(model, state, min_matched=1.0)  # testing needs all
