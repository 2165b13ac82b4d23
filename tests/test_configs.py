"""Every shipped config parses through its mmaction:: bases and builds."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmaction.registry import MODELS
from mmaction_ext.utils import drop_train_only_args

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    p for p in glob.glob(
        osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.relpath(p, ROOT) for p in CONFIGS])
def test_config_builds_its_model(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmaction'
    assert 'mmaction_ext' in cfg.custom_imports['imports']
    init_default_scope('mmaction')
    # Text encoder weights (CLIP) are not available offline: build the
    # test-time model here; GAP heads are built in test_gap.py.
    drop_train_only_args(cfg.model)
    dataset = cfg.train_dataloader.dataset.get('dataset',
                                               cfg.train_dataloader.dataset)
    joint_texts = None
    if cfg.model.get('action_texts'):
        # the declared texts fit the data (no encoder is needed to check)
        texts = MODELS.build(
            dict(cfg.model.action_texts, num_classes=dataset['num_classes']))
        assert len(texts) == dataset['num_classes']
        joint_texts = MODELS.build(cfg.model.joint_texts)
    if 'text_priors' in cfg.model:  # encoders are not in a fresh checkout
        cfg.model.update(text_priors=None, joint_texts=None, action_texts=None)
        # without priors the class count must be given explicitly
        cfg.model.head.setdefault('num_classes', dataset['num_classes'])
    model = MODELS.build(cfg.model)
    head = getattr(model, 'cls_head', None) or model.head
    assert head.num_classes == dataset['num_classes']
    if joint_texts is not None:
        assert len(joint_texts) == model.backbone.tjg.shape[0]


def test_registry_roundtrip_through_mmaction_base(tmp_path):
    config = tmp_path / 'user_project.py'
    config.write_text(
        "_base_ = 'mmaction::skeleton/stgcn/"
        "stgcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d.py'\n"
        "custom_imports = dict(imports=['mmaction_ext'])\n"
        'model = dict(backbone=dict(_delete_=True, type="CTRGCN", '
        'graph_cfg=dict(layout="nturgb+d")))\n')
    cfg = Config.fromfile(str(config))
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    assert type(model.backbone).__name__ == 'CTRGCN'
    assert type(model.backbone).__module__.startswith('mmaction_ext.')
    assert type(model).__name__ == 'RecognizerGCN'
