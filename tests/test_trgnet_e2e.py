"""TRG-Net through tools/train.py and tools/test.py on synthetic sequences."""
import os.path as osp
import sys

import mmengine
import pytest
import torch

from mmaction_ext.datasets.synthetic_segmentation import \
    make_segmentation_annotations
from mmaction_ext.text import relation_graph, save_text_priors
from test_runner_e2e import run_cli

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='module')
def tiny_segmentation(tmp_path_factory):
    out = tmp_path_factory.mktemp('segmentation')
    ann = str(out / 'seq.pkl')
    # 4 subjects x 2 sequences: subject 4 is the test subject
    mmengine.dump(make_segmentation_annotations(4, 2, seed=0), ann)
    torch.manual_seed(0)
    priors = str(out / 'priors.npz')
    save_text_priors(
        dict(
            tjg=relation_graph(torch.randn(25, 8)).numpy(),
            tag=relation_graph(torch.randn(13, 8)).numpy(),
            action_embeddings=torch.randn(13, 8).numpy()), priors)
    return ann, priors


def test_trgnet_trains_validates_and_tests(tiny_segmentation, tmp_path):
    ann, priors = tiny_segmentation
    config = tmp_path / 'tiny_trgnet.py'
    config.write_text(
        f"_base_ = {osp.join(ROOT, 'configs/trgnet/trgnet_synthetic-ntu25-3d.py')!r}\n"  # noqa: E501
        f'ann_file = {ann!r}\n'
        'model = dict(\n'
        '    backbone=dict(channels=8, num_layers=3, num_scales=3),\n'
        '    head=dict(channels=8, num_layers=2, text_dims=8),\n'
        f'    text_priors={priors!r})\n'
        'loader = dict(batch_size=2, num_workers=0, persistent_workers=False,'
        ' dataset=dict(ann_file=ann_file))\n'
        'train_dataloader = loader\nval_dataloader = loader\n'
        'test_dataloader = loader\n'
        'train_cfg = dict(max_epochs=2, val_begin=1, val_interval=1)\n'
        'default_hooks = dict(logger=dict(interval=1))\n')
    work_dir = str(tmp_path / 'work')
    output = run_cli([
        sys.executable, 'tools/train.py',
        str(config), '--work-dir', work_dir
    ])
    for key in ('loss_cls', 'loss_smooth', 'loss_boundary', 'loss_aris_abs',
                'loss_aris_rel', 'Edit:', 'F1@50:'):
        assert key in output, key
    output = run_cli([
        sys.executable, 'tools/test.py',
        str(config),
        osp.join(work_dir, 'epoch_2.pth'), '--work-dir', work_dir
    ])
    assert 'Epoch(test)' in output and 'F1@10:' in output


def test_visualize_segmentation_writes_pngs(tmp_path):
    rng = torch.Generator().manual_seed(0)
    results = []
    for name, length in (('C001P001R001', 50), ('C002P002R001', 30)):
        labels = torch.arange(length) * 3 // length
        results.append(
            dict(frame_dir=name, gt_frame_labels=labels,
                 pred_frame_scores=torch.randn(12, length, generator=rng),
                 pred_boundary_logits=torch.randn(length, generator=rng)))
    dump = str(tmp_path / 'scores.pkl')
    mmengine.dump(results, dump)
    out = tmp_path / 'figures'
    run_cli([sys.executable, 'tools/trgnet/visualize_segmentation.py', dump,
             str(out), '--refine', '--classes', 'synthetic12'])
    pngs = sorted(p.name for p in out.iterdir())
    assert pngs == ['C001P001R001.png', 'C002P002R001.png']
    assert (out / pngs[0]).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
