"""ICRL end to end: tools/a2o/icrl.py, tiny OWLv2 maps, a Runner per
iteration (a tiny ResNet3d recognizer on real sample-video clips)."""
import importlib.util
import json
import os.path as osp

import pytest
from fake_chat_server import serve

CONFIG = '''
default_scope = 'mmaction'
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)
video_root = {root!r} + '/videos'
load_maps = dict(type='LoadLikelihoodMaps', classes=['person'],
                 maps_dir=None, video_root=video_root)
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3d', depth=18, pretrained=None, pretrained2d=False,
        in_channels=4, base_channels=4, num_stages=1, out_indices=(0, ),
        stage_blocks=(1, ), spatial_strides=(1, ), temporal_strides=(1, ),
        dilations=(1, ), conv1_kernel=(1, 3, 3), conv1_stride_t=1,
        pool1_stride_t=1, inflate=(1, )),
    cls_head=dict(type='I3DHead', in_channels=4, num_classes=3,
                  average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor',
                           format_shape='NCTHW'))
pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'), load_maps,
    dict(type='Resize', scale=(-1, 32)),
    dict(type='CenterCrop', crop_size=32),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_dataloader = dict(
    batch_size=2, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='VideoDataset', ann_file={root!r} + '/train.txt',
                 data_prefix=dict(video=video_root), pipeline=pipeline))
val_dataloader = dict(
    batch_size=2, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='VideoDataset', ann_file={root!r} + '/val.txt',
                 data_prefix=dict(video=video_root), pipeline=pipeline,
                 test_mode=True))
val_evaluator = dict(type='AccMetric')
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=1, val_interval=1)
val_cfg = dict(type='ValLoop')
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1))
log_level = 'WARNING'
'''


def load_tool(name):
    spec = importlib.util.spec_from_file_location(name, f'tools/a2o/{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def quick_config_text(monkeypatch):
    """MMEngine formats the config with yapf (about 4 s on 2 cores) five
    times per Runner, for logs and checkpoint meta only; skip that."""
    from mmengine.config import Config
    monkeypatch.setattr(Config, 'pretty_text',
                        property(lambda self: self.text))


def test_demo_runs_two_iterations_and_resumes(monkeypatch, tmp_path, capsys,
                                              quick_config_text):
    """tools/a2o/demo_icrl.py -> tools/a2o/icrl.py: a Runner per iteration
    on maps of the tiny OWLv2; a rerun finds everything done."""
    data = tmp_path / 'data'
    config = tmp_path / 'demo.py'
    config.write_text(CONFIG.format(root=str(data / 'clips')))
    work_dir = str(tmp_path / 'work')
    demo = load_tool('demo_icrl')
    assert demo.main([
        str(config), '--work-dir', work_dir, '--data-dir',
        str(data), '--map-count-key', 'model.backbone.in_channels+3'
    ]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith('A2O ICRL demo (synthetic')
    assert any(
        line.startswith('iteration 1: ') and "['person', 'bike']" in line
        for line in lines)
    assert any(
        line.startswith('iteration 2: ')
        and "['person', 'bike', 'road']" in line for line in lines)
    with open(osp.join(work_dir, 'history.json')) as f:
        history = json.load(f)
    first, second = history['iterations']
    assert first['status'] == second['status'] == 'done'
    assert set(first['class_accuracy']) == {'bikes', 'carphone', 'bunny'}
    assert first['maps_dir'] != second['maps_dir']
    assert osp.isfile(osp.join(second['maps_dir'], 'bikes_00.mp4.npz'))
    assert osp.isfile(second['checkpoint'])
    assert osp.isfile(history['best']['weights'])
    clips = str(data / 'clips')
    with serve(monkeypatch) as fake:
        argv = [
            str(config), '--work-dir', work_dir, '--target-classes-file',
            osp.join(clips, 'classes.txt'), '--iterations', '2',
            '--max-classes', '5', '--base-url',
            fake.url(), '--model', 'm', '--on-the-fly', '--map-count-key',
            'model.backbone.in_channels+3'
        ]
        assert load_tool('icrl').main(argv) == 0
        assert not fake.requests


def test_icrl_tool_needs_maps_inputs(tmp_path):
    (tmp_path / 'c.py').write_text('x = 1\n')
    (tmp_path / 'classes.txt').write_text('a\nb\n')
    with pytest.raises(FileNotFoundError, match='--on-the-fly'):
        load_tool('icrl').main([
            str(tmp_path / 'c.py'), '--work-dir',
            str(tmp_path / 'w'), '--target-classes-file',
            str(tmp_path / 'classes.txt'), '--model', 'm', '--base-url',
            'http://127.0.0.1:9/v1'
        ])
