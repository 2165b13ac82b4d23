"""Each TRG-Net dataset config's pipeline feeds its model: channels, joints.

A converter's output (keypoint (M, T, V, C) as the converter writes it for
that dataset) goes through the config's own training pipeline and collate
into a shrunken copy of the config's model, which computes every loss.
"""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope

from mmaction.registry import MODELS
from mmaction_ext.text import relation_graph

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

# config -> keypoint shape (M, V, C) its converter writes
CASES = {
    # pku_mmd_to_segmentation
    'trgnet_1xb8-300e_pku-mmd-xsub-3d.py': (2, 25, 3),
    # prepared release, C = 6, M = 1
    'trgnet_1xb8-120e_lara-3d.py': (1, 19, 6),
    # prepared release, x and y
    'trgnet_1xb1-300e_mcfs130-2d.py': (1, 25, 2),
    # OpenPose json: x, y, score
    'trgnet_1xb1-300e_mcfs22-2d.py': (1, 25, 3),
    # tcg_to_segmentation
    'trgnet_1xb8-300e_tcg15-xsub-fold1-3d.py': (1, 17, 3),
}


@pytest.mark.parametrize('name', sorted(CASES))
def test_pipeline_output_fits_the_model(name):
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'trgnet', name))
    init_default_scope('mmaction')
    persons, joints, dims = CASES[name]
    num_classes = cfg.train_dataloader.dataset.num_classes
    rng = np.random.default_rng(0)
    pipeline = Compose(cfg.train_dataloader.dataset.pipeline)
    batch = []
    for length in (96, 80):
        labels = np.repeat(rng.integers(0, num_classes, 4), length // 4)
        batch.append(
            pipeline(
                dict(
                    frame_dir=f'seq{length}',
                    total_frames=length,
                    keypoint=rng.uniform(
                        0, 700,
                        (persons, length, joints, dims)).astype(np.float32),
                    frame_labels=labels)))
    model_cfg = cfg.model
    model_cfg.backbone.update(channels=8, num_layers=2, num_scales=3)
    model_cfg.head.update(channels=8, num_layers=2, text_dims=4)
    model_cfg.update(text_priors=None, joint_texts=None, action_texts=None)
    model_cfg.head.num_classes = num_classes
    model_cfg.boundary_loss.pos_weight = 5.
    model = MODELS.build(model_cfg)
    model.backbone.set_tjg(relation_graph(torch.randn(joints, 4)))
    data = model.data_preprocessor(pseudo_collate(batch), training=True)
    assert data['inputs'].shape[1] == cfg.model.backbone.in_channels
    assert data['inputs'].shape[3] == joints
    losses = model(**data, mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
