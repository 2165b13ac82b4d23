import os.path as osp
import sys

import mmengine
import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if ROOT not in sys.path:  # tests also run from a plain checkout
    sys.path.insert(0, ROOT)

import mmaction_ext  # noqa: E402,F401
from mmaction_ext.datasets.synthetic_skeletons import \
    make_pose_annotations  # noqa: E402

TINY_MODEL = """
model = dict(
    backbone=dict(
        base_channels=8, num_stages=3, inflate_stages=[3], down_stages=[3]),
    cls_head=dict(in_channels=16){model_extra})
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    dataset=dict(ann_file=ann_file))
val_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    dataset=dict(ann_file=ann_file))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=2)
default_hooks = dict(logger=dict(interval=1))
"""


@pytest.fixture(scope='session')
def repo_root():
    return ROOT


@pytest.fixture(scope='session')
def tiny_skeletons(tmp_path_factory):
    """Small synthetic pkl files: 3 subjects (2 train, 1 val), 1 repeat."""
    out = tmp_path_factory.mktemp('skeletons')
    paths = {}
    for layout, name in (('nturgb+d', 'ntu25_3d.pkl'), ('coco',
                                                        'coco17_2d.pkl')):
        paths[layout] = str(out / name)
        mmengine.dump(
            make_pose_annotations(layout, num_subjects=3, repeats=1, seed=0),
            paths[layout])
    return paths


@pytest.fixture
def tiny_config(tmp_path, tiny_skeletons):
    """A config file inheriting the real synthetic CTR-GCN config."""

    def write(base='configs/ctrgcn/ctrgcn_1xb8-joint-16e_synthetic-ntu25-'
              '3d.py',
              layout='nturgb+d',
              extra='',
              model_extra=''):
        path = tmp_path / 'tiny_config.py'
        path.write_text(f'_base_ = {osp.join(ROOT, base)!r}\n'
                        f'ann_file = {tiny_skeletons[layout]!r}\n' +
                        TINY_MODEL.format(model_extra=model_extra) + extra)
        return str(path)

    return write
