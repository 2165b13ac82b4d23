"""The boundary loss weight: counted as the official code, set by a hook."""
import logging

import mmengine
import numpy as np
import pytest
import torch

from mmaction_ext.engine import BoundaryPosWeightHook
from mmaction_ext.models.losses import BoundaryBCELoss
from mmaction_ext.structures import boundary_pos_weight
from tools.trgnet import boundary_pos_weight as tool

SEQUENCES = [
    np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 0]),  # 4 starts in 10 frames
    np.array([3, 3, 3, 3, 3, 3]),  # 1 start in 6 frames
]


def test_weight_is_frames_over_segment_starts():
    assert boundary_pos_weight(SEQUENCES) == pytest.approx(16 / 5)


def test_weight_at_a_reduced_frame_rate():
    # every 4th frame: 3 + 2 frames; starts 0, 3, 5, 9 -> 0, 0, 1, 2 -> 3
    assert boundary_pos_weight(SEQUENCES, 4) == pytest.approx(5 / 4)


def test_empty_training_set_is_an_error():
    with pytest.raises(ValueError, match='no labelled frames'):
        boundary_pos_weight([])


def test_loss_without_a_weight_says_how_to_get_one():
    loss = BoundaryBCELoss()
    ones = torch.ones(1, 1, 4)
    with pytest.raises(RuntimeError, match='BoundaryPosWeightHook'):
        loss(ones, ones, ones)


class _Dataset:

    def __init__(self, pipeline):
        self.pipeline = pipeline

    def __len__(self):
        return len(SEQUENCES)

    def get_data_info(self, index):
        return dict(frame_labels=SEQUENCES[index])


class _Runner:

    def __init__(self, pos_weight, pipeline=()):
        from mmengine.dataset import Compose
        self.model = torch.nn.Module()
        self.model.boundary_loss = BoundaryBCELoss(pos_weight)
        self.train_dataloader = torch.utils.data.DataLoader(
            _Dataset(Compose(list(pipeline))))
        self.logger = logging.getLogger('test_boundary_pos_weight')


def test_hook_counts_the_training_set():
    runner = _Runner(None)
    BoundaryPosWeightHook().before_train(runner)
    assert runner.model.boundary_loss.pos_weight == pytest.approx(16 / 5)


def test_hook_uses_the_pipeline_downsample_factor():
    from mmaction_ext.datasets.transforms import TemporalDownsample
    runner = _Runner(None, [TemporalDownsample(4)])
    BoundaryPosWeightHook().before_train(runner)
    assert runner.model.boundary_loss.pos_weight == pytest.approx(5 / 4)


def test_hook_keeps_a_number_from_the_config():
    runner = _Runner(7.)
    BoundaryPosWeightHook().before_train(runner)
    assert runner.model.boundary_loss.pos_weight == 7.


def test_hook_needs_a_boundary_loss():
    runner = _Runner(None)
    del runner.model.boundary_loss
    with pytest.raises(AttributeError, match='boundary_loss'):
        BoundaryPosWeightHook().before_train(runner)


def test_tool_prints_the_train_split_weight(tmp_path, capsys):
    ann = str(tmp_path / 'seq.pkl')
    mmengine.dump(
        dict(
            split=dict(train=['a', 'b'], test=['a']),
            annotations=[
                dict(frame_dir=name, frame_labels=labels)
                for name, labels in zip('ab', SEQUENCES)
            ]), ann)
    assert tool.main([ann, '--split', 'train']) == 0
    assert 'pos_weight=3.2000' in capsys.readouterr().out
    assert tool.main([ann, '--split', 'nope']) == 2
    assert "no split 'nope'" in capsys.readouterr().err
