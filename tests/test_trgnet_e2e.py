"""TRG-Net through tools/train.py and tools/test.py on synthetic sequences."""
import os.path as osp
import sys

import mmengine
import pytest
import torch

from mmaction_ext.datasets.synthetic_segmentation import \
    make_segmentation_annotations
from mmaction_ext.structures import boundary_pos_weight
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


@pytest.mark.slow
def test_trgnet_trains_validates_and_tests(tiny_segmentation, tmp_path):
    ann, priors = tiny_segmentation
    config = tmp_path / 'tiny_trgnet.py'
    config.write_text(
        f"_base_ = {osp.join(ROOT, 'configs/trgnet/trgnet_1xb4-12e_synthetic-ntu25-3d.py')!r}\n"  # noqa: E501
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
    train = mmengine.load(ann)
    expected = boundary_pos_weight([
        a['frame_labels'] for a in train['annotations']
        if a['frame_dir'] in train['split']['train']
    ])
    assert f'boundary pos_weight {expected:.2f}' in output
    output = run_cli([
        sys.executable, 'tools/test.py',
        str(config),
        osp.join(work_dir, 'epoch_2.pth'), '--work-dir', work_dir
    ])
    assert 'Epoch(test)' in output and 'F1@10:' in output


@pytest.mark.slow
def test_visualize_segmentation_writes_pngs(tmp_path):
    rng = torch.Generator().manual_seed(0)
    results = []
    for name, length in (('C001P001R001', 50), ('C002P002R001', 30)):
        labels = torch.arange(length) * 3 // length
        results.append(
            dict(
                frame_dir=name,
                gt_frame_labels=labels,
                pred_frame_scores=torch.randn(12, length, generator=rng),
                pred_boundary_logits=torch.randn(length, generator=rng)))
    dump = str(tmp_path / 'scores.pkl')
    mmengine.dump(results, dump)
    out = tmp_path / 'figures'
    run_cli([
        sys.executable, 'tools/trgnet/visualize_segmentation.py', dump,
        str(out), '--refine', '--classes', 'synthetic12'
    ])
    pngs = sorted(p.name for p in out.iterdir())
    assert pngs == ['C001P001R001.png', 'C002P002R001.png']
    assert (out / pngs[0]).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    # class names from an annotation file; a wrong count is refused
    ann = str(tmp_path / 'ann.pkl')
    mmengine.dump(dict(classes=[f'class {i}' for i in range(12)]), ann)
    run_cli([
        sys.executable, 'tools/trgnet/visualize_segmentation.py', dump,
        str(tmp_path / 'named'), '--classes', ann
    ])
    assert len(list((tmp_path / 'named').iterdir())) == 2
    mmengine.dump(dict(classes=['a', 'b']), ann)
    with pytest.raises(AssertionError, match='names 2 classes'):
        run_cli([
            sys.executable, 'tools/trgnet/visualize_segmentation.py', dump,
            str(tmp_path / 'named'), '--classes', ann
        ])


@pytest.mark.slow
def test_pku_mmd_release_to_trained_model(tmp_path):
    """Official PKU-MMD files -> converter -> the PKU config -> train/test."""
    from test_pku_mmd_converter import skeleton_lines, write, write_split
    root = tmp_path / 'PKU'
    for folder in ('Skeleton', 'Label', 'Split'):
        (root / folder).mkdir(parents=True)
    videos = {'0002-L': 2, '0002-M': 1, '0003-L': 2, '0003-M': 1}
    for index, (name, persons) in enumerate(videos.items()):
        write(root / 'Skeleton' / f'{name}.txt', skeleton_lines(60, persons))
        write(root / 'Label' / f'{name}.txt',
              [f'{index + 1},5,24,1', f'{index + 30},31,52,2'])
    write_split(root / 'Split' / 'cross-subject.txt', ['0002-L', '0002-M'],
                ['0003-L', '0003-M'])
    ann = str(tmp_path / 'pku_mmd.pkl')
    run_cli([
        sys.executable, 'tools/data/pku_mmd_to_segmentation.py',
        '--skeleton-dir',
        str(root / 'Skeleton'), '--label-dir',
        str(root / 'Label'), '--xsub-split',
        str(root / 'Split' / 'cross-subject.txt'), '--out', ann
    ])
    torch.manual_seed(0)
    priors = str(tmp_path / 'priors.npz')
    save_text_priors(
        dict(
            tjg=relation_graph(torch.randn(25, 8)).numpy(),
            tag=relation_graph(torch.randn(52, 8)).numpy(),
            action_embeddings=torch.randn(52, 8).numpy()), priors)
    config = tmp_path / 'tiny_pku.py'
    config.write_text(
        f"_base_ = {osp.join(ROOT, 'configs/trgnet/trgnet_1xb8-300e_pku-mmd-xsub-3d.py')!r}\n"  # noqa: E501
        'model = dict(\n'
        '    backbone=dict(channels=8, num_layers=3, num_scales=3),\n'
        '    head=dict(channels=8, num_layers=2),\n'
        f'    text_priors={priors!r})\n'
        f'ann_file = {ann!r}\n'
        'loader = dict(batch_size=2, num_workers=0, persistent_workers=False,'
        ' dataset=dict(ann_file=ann_file))\n'
        'train_dataloader = loader\n'
        'val_dataloader = dict(num_workers=0, persistent_workers=False,'
        ' dataset=dict(ann_file=ann_file))\n'
        'test_dataloader = val_dataloader\n'
        'train_cfg = dict(max_epochs=1, val_begin=1, val_interval=1)\n'
        'default_hooks = dict(logger=dict(interval=1), '
        'checkpoint=dict(interval=1))\n')
    work_dir = str(tmp_path / 'work')
    output = run_cli([
        sys.executable, 'tools/train.py',
        str(config), '--work-dir', work_dir
    ])
    # 120 frames, starts at 0, 4, 24, 30, 52 per video (2 videos)
    assert 'boundary pos_weight 12.00' in output
    assert 'loss_aris_rel' in output and 'F1@50:' in output
    output = run_cli([
        sys.executable, 'tools/test.py',
        str(config),
        osp.join(work_dir, 'epoch_1.pth'), '--work-dir', work_dir
    ])
    assert 'Epoch(test)' in output and 'Edit:' in output
