"""Skeleton action segmentation data: dataset, features, SAEP, loading."""
import math
import re

import mmengine
import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmaction_ext.datasets import SkeletonSegmentationDataset
from mmaction_ext.datasets import synthetic_segmentation as syn_seg
from mmaction_ext.datasets.synthetic_skeletons import (SYNTHETIC_CLASSES,
                                                       forward_kinematics,
                                                       make_subject_build)
from mmaction_ext.datasets.transforms import (SAEP, PackSegmentationInputs,
                                              RandomAxialRotation,
                                              RandomJointOcclusion,
                                              SegmentationFeatures,
                                              TemporalDownsample)
from mmaction_ext.models.data_preprocessors import SegmentationDataPreprocessor
from mmaction_ext.structures import (SegmentationDataSample,
                                     labels_to_boundaries)

PIPELINE = [
    dict(type='SegmentationFeatures', num_person=1),
    dict(type='PackSegmentationInputs')
]


@pytest.fixture(scope='module')
def small_set():
    """4 subjects x 3 sequences: subject 4 is the test subject."""
    return syn_seg.make_segmentation_annotations(num_subjects=4, repeats=3)


@pytest.fixture
def write_pkl(tmp_path, small_set):
    """Dump the small set, optionally after ``edit(data)``."""

    def write(edit=None):
        data = mmengine.load(_dump(small_set, tmp_path / 'clean.pkl'))
        if edit is not None:
            edit(data)
        return _dump(data, tmp_path / 'seg.pkl')

    return write


def _dump(data, path):
    mmengine.dump(data, str(path))
    return str(path)


def _segments(labels):
    """Run-length (label, start, end) list of a label array."""
    starts = np.flatnonzero(labels_to_boundaries(labels))
    ends = list(starts[1:]) + [len(labels)]
    return [(int(labels[s]), int(s), int(e)) for s, e in zip(starts, ends)]


# --------------------------------------------------------------- dataset


def test_dataset_loads_split_and_classes(write_pkl):
    ann_file = write_pkl()
    train = SkeletonSegmentationDataset(
        ann_file, PIPELINE, split='train', num_joints=25, keypoint_dims=3)
    test = SkeletonSegmentationDataset(
        ann_file, PIPELINE, split='test', test_mode=True)
    assert len(train) == 9 and len(test) == 3
    assert train.metainfo['classes'] == syn_seg.SEGMENTATION_CLASSES
    assert train.num_classes == 13
    assert all(
        test.get_data_info(i)['frame_dir'][4:8] == 'P004'
        for i in range(len(test)))
    item = train[0]
    frames = item['data_samples'].metainfo['total_frames']
    assert item['inputs'].shape == (6, frames, 25)
    assert item['data_samples'].gt_frame_labels.shape == (frames, )
    assert len(SkeletonSegmentationDataset(ann_file, PIPELINE)) == 12


def test_metainfo_argument_overrides_pkl_classes(write_pkl):
    names = tuple(f'c{i}' for i in range(13))
    dataset = SkeletonSegmentationDataset(
        write_pkl(), PIPELINE, split='train', metainfo=dict(classes=names))
    assert dataset.metainfo['classes'] == names


def test_missing_file_and_unknown_split(tmp_path, write_pkl):
    missing = str(tmp_path / 'nope.pkl')
    with pytest.raises(FileNotFoundError, match='nope.pkl'):
        SkeletonSegmentationDataset(missing, PIPELINE)
    ann_file = write_pkl()
    with pytest.raises(KeyError, match=r"seg\.pkl.*no split 'val'"):
        SkeletonSegmentationDataset(ann_file, PIPELINE, split='val')


def _set(index, key, value):

    def edit(data):
        data['annotations'][index][key] = value(data['annotations'][index])

    return edit


def _labels(change):

    def value(anno):
        labels = anno['frame_labels'].copy()
        change(labels)
        return labels

    return value


BAD_INPUTS = {
    'label == num_classes': (_set(0, 'frame_labels',
                                  _labels(lambda x: x.__setitem__(3, 13))), {},
                             r'1 frame labels outside \[0, 13\), first '
                             '13 at frame 3'),
    'negative label': (_set(0, 'frame_labels',
                            _labels(lambda x: x.__setitem__(5, -1))), {},
                       r'outside \[0, 13\), first -1 at frame 5'),
    'padding label 255': (_set(0, 'frame_labels',
                               _labels(lambda x: x.__setitem__(7, 255))), {},
                          r'255 \(reserved for padding\), first at frame 7'),
    'float labels': (_set(0, 'frame_labels',
                          lambda a: a['frame_labels'].astype(float)), {},
                     'dtype float64, expected int'),
    'label count != T':
    (_set(0, 'frame_labels',
          lambda a: a['frame_labels'][:-1]), {}, 'frame_labels has shape'),
    'no labels': (lambda d: d['annotations'][0].pop('frame_labels'), {},
                  'has no "frame_labels"'),
    'total_frames != T': (_set(0, 'total_frames',
                               lambda a: a['total_frames'] + 1), {},
                          'total_frames=.* but .* keypoint frames'),
    'joint count': (_set(0, 'keypoint', lambda a: a['keypoint'][:, :, :24]),
                    dict(num_joints=25), 'has 24 joints, the layout has 25'),
    'keypoint dims': (_set(0, 'keypoint', lambda a: a['keypoint'][..., :2]),
                      dict(keypoint_dims=3), 'has 2-D keypoints'),
    'NaN keypoints': (_set(
        0, 'keypoint', lambda a: np.where(
            np.arange(a['total_frames'])[None, :, None, None] == 9, np.nan, a[
                'keypoint']).astype(np.float32)), {},
                      r'NaN/inf keypoint values \(first in frame '
                      r'9\)'),
    'too short': (None, dict(min_frames=10000), 'fewer than min_frames=10000'),
}


@pytest.mark.parametrize('case', sorted(BAD_INPUTS))
def test_bad_inputs_name_file_and_sequence(write_pkl, small_set, case):
    edit, kwargs, message = BAD_INPUTS[case]
    ann_file = write_pkl(edit)
    name = small_set['annotations'][0]['frame_dir']
    with pytest.raises(ValueError) as error:
        SkeletonSegmentationDataset(ann_file, PIPELINE, **kwargs)
    text = str(error.value)
    assert ann_file in text
    assert f'sequence {name!r}' in text
    assert re.search(message, text), text


def test_split_entry_without_annotation_and_class_count(write_pkl):
    ann_file = write_pkl(lambda d: d['split']['train'].append('ghost'))
    with pytest.raises(ValueError, match=r"seg\.pkl.*'ghost'"):
        SkeletonSegmentationDataset(ann_file, PIPELINE, split='train')
    with pytest.raises(ValueError, match='num_classes=12 but 13 classes'):
        SkeletonSegmentationDataset(write_pkl(), PIPELINE, num_classes=12)


def test_errors_list_every_bad_sequence(write_pkl, small_set):

    def edit(data):
        for anno in data['annotations'][:3]:
            anno['frame_labels'][0] = 99

    with pytest.raises(ValueError) as error:
        SkeletonSegmentationDataset(write_pkl(edit), PIPELINE)
    for anno in small_set['annotations'][:3]:
        assert repr(anno['frame_dir']) in str(error.value)
    assert '3 problem(s)' in str(error.value)


# -------------------------------------------------------------- features


def _loop_disp_rel(keypoint, root):
    """TRG-Net features by explicit loops over (person, stream, c, t, v)."""
    persons, frames, joints, dims = keypoint.shape
    valid = [t for t in range(frames) if np.any(keypoint[:, t] != 0)]
    start, end = valid[0], valid[-1] + 1
    out = np.zeros((persons * 2 * dims, frames, joints), np.float32)
    for m in range(persons):
        for c in range(dims):
            for t in range(start, end):
                for v in range(joints):
                    x = keypoint[m, t, v, c]
                    if t < end - 1:
                        out[m * 2 * dims + c, t, v] = \
                            keypoint[m, t + 1, v, c] - x
                    out[m * 2 * dims + dims + c, t, v] = \
                        x - keypoint[m, t, root, c]
    return out


def test_disp_rel_features_match_a_loop_and_channel_order():
    rng = np.random.default_rng(0)
    keypoint = rng.normal(size=(2, 9, 5, 3)).astype(np.float32)
    keypoint[:, :2] = 0  # invalid leading frames
    keypoint[:, -1] = 0  # invalid trailing frame
    keypoint[1, 4] = 0  # a missing person inside the valid span
    for root in (0, 2):
        out = SegmentationFeatures(root_joint=root)(dict(keypoint=keypoint))
        assert out['inputs'].dtype == np.float32
        assert out['inputs'].shape == (12, 9, 5)
        np.testing.assert_allclose(
            out['inputs'], _loop_disp_rel(keypoint, root), atol=1e-6)
    inputs = out['inputs']
    # channel order: [p0 disp xyz, p0 rel xyz, p1 disp xyz, p1 rel xyz]
    np.testing.assert_allclose(inputs[0:3, 3, 1],
                               keypoint[0, 4, 1] - keypoint[0, 3, 1])
    np.testing.assert_allclose(inputs[9:12, 3, 1],
                               keypoint[1, 3, 1] - keypoint[1, 3, 2])
    disp, rel = [0, 1, 2, 6, 7, 8], [3, 4, 5, 9, 10, 11]
    assert not inputs[disp, 7].any()  # last valid frame: disp 0 ...
    assert inputs[rel, 7].any()  # ... but relative coordinates
    assert not inputs[:, [0, 1, 8]].any()


def test_num_person_pads_to_a_fixed_channel_count():
    keypoint = np.random.default_rng(1).normal(size=(1, 6, 25, 3))
    out = SegmentationFeatures(num_person=2)(dict(keypoint=keypoint))
    assert out['inputs'].shape == (12, 6, 25)  # PKU-MMD layout
    assert not out['inputs'][6:].any()
    two = np.concatenate([keypoint, keypoint + 1])
    assert SegmentationFeatures(num_person=1)(
        dict(keypoint=two))['inputs'].shape == (6, 6, 25)


def test_mcfs_features_match_a_loop():
    rng = np.random.default_rng(2)
    keypoint = rng.uniform(0, 1000, (1, 4, 25, 3)).astype(np.float32)
    out = SegmentationFeatures(mode='mcfs')(dict(keypoint=keypoint))
    assert out['inputs'].shape == (2, 4, 25)
    expected = np.zeros((2, 4, 25))
    for t in range(4):
        for v in range(25):
            for c, size in enumerate((1280, 720)):
                expected[c, t, v] = (keypoint[0, t, v, c] / size - 0.5) - (
                    keypoint[0, t, 8, c] / size - 0.5)
    np.testing.assert_allclose(out['inputs'], expected, atol=1e-6)
    with pytest.raises(ValueError, match='mode'):
        SegmentationFeatures(mode='bone')


def test_temporal_downsample_keeps_short_segment_boundaries():
    labels = np.array([0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2])
    results = dict(
        inputs=np.arange(3 * 11 * 2).reshape(3, 11, 2),
        keypoint=np.zeros((1, 11, 2, 3)),
        frame_labels=labels,
        total_frames=11)
    out = TemporalDownsample(4)(results)
    np.testing.assert_array_equal(out['frame_labels'], [0, 0, 2])
    # boundaries at 0, 5, 7 -> 0, 1, 1: the 2-frame segment keeps one
    np.testing.assert_array_equal(out['frame_boundaries'], [1, 1, 0])
    np.testing.assert_array_equal(out['inputs'][0, :, 0], [0, 8, 16])
    assert out['keypoint'].shape == (1, 3, 2, 3)
    assert out['total_frames'] == 3


# ------------------------------------------------------------------ SAEP


def _random_inputs(channels=12, frames=6, joints=25, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(channels, frames, joints)).astype(np.float32) + 5


def _group_norms(inputs):
    channels = inputs.shape[0]
    return np.linalg.norm(inputs.reshape(channels // 3, 3, -1), axis=1)


def test_saep_never_occludes_and_rotates_the_same_sample():
    np.random.seed(0)
    saep, inputs = SAEP(), _random_inputs()
    counts = dict(occlusion=0, rotation=0, none=0)
    draws = 3000
    for _ in range(draws):
        out = saep(dict(inputs=inputs.copy()))
        zeroed = ~out['inputs'].any(axis=(0, 1))
        rotated = not np.allclose(out['inputs'][:, :, ~zeroed],
                                  inputs[:, :, ~zeroed])
        assert not (zeroed.any() and rotated)  # never both
        assert zeroed.any() == (out['saep'] == 'occlusion')
        assert rotated == (out['saep'] == 'rotation')
        counts[out['saep']] += 1
    for mode, expected in (('occlusion', .35), ('rotation', .35), ('none',
                                                                   .30)):
        assert abs(counts[mode] / draws - expected) < 0.04, counts


def test_saep_options():
    np.random.seed(1)
    no_rotation = SAEP(rotation_axis=None)  # MCFS
    modes = {
        no_rotation(dict(inputs=_random_inputs()))['saep']
        for _ in range(200)
    }
    assert modes == {'occlusion', 'none'}
    only_rotation = SAEP(occlusion_prob=0., rotation_prob=1.)
    assert only_rotation(dict(inputs=_random_inputs()))['saep'] == 'rotation'
    with pytest.raises(ValueError, match='<= 1'):
        SAEP(occlusion_prob=0.6, rotation_prob=0.5)


def test_occlusion_count_range_and_zeroed_joints():
    np.random.seed(2)
    occlusion, inputs = RandomJointOcclusion(0.5), _random_inputs()
    counts = set()
    for _ in range(500):
        out = occlusion(dict(inputs=inputs))
        joints = out['occluded_joints']
        counts.add(len(joints))
        assert len(set(joints.tolist())) == len(joints)
        zeroed = np.flatnonzero(~out['inputs'].any(axis=(0, 1)))
        np.testing.assert_array_equal(zeroed, joints)
        kept = np.setdiff1d(np.arange(25), joints)
        np.testing.assert_array_equal(out['inputs'][..., kept], inputs[...,
                                                                       kept])
    assert counts == set(range(1, 13))  # U{1..floor(0.5 * 25)}
    assert inputs.all()  # the input array is not modified in place


@pytest.mark.parametrize('axis', ['y', 'z'])
def test_rotation_keeps_lengths_and_uses_one_rotation(axis):
    np.random.seed(3)
    inputs = _random_inputs()
    out = RandomAxialRotation(axis)(dict(inputs=inputs))
    angle, rotated = out['rotation_angle'], out['inputs']
    assert -math.pi <= angle <= math.pi
    np.testing.assert_allclose(
        _group_norms(rotated), _group_norms(inputs), rtol=1e-5)
    fixed = 'xyz'.index(axis)  # the rotation axis' coordinate is kept
    np.testing.assert_allclose(rotated[fixed::3], inputs[fixed::3])
    c, s = math.cos(angle), math.sin(angle)
    official = dict(
        y=[[c, 0, s], [0, 1, 0], [-s, 0, c]],
        z=[[c, -s, 0], [s, c, 0], [0, 0, 1]])[axis]
    for group in range(4):  # the same R @ x for every 3-channel group
        part = slice(3 * group, 3 * group + 3)
        np.testing.assert_allclose(
            rotated[part],
            np.einsum('dc,ctv->dtv', official, inputs[part]),
            rtol=1e-5,
            atol=1e-5)
    with pytest.raises(ValueError, match='3-channel groups'):
        RandomAxialRotation()(dict(inputs=_random_inputs(channels=2)))


def test_rotation_angles_cover_the_full_circle():
    np.random.seed(4)
    angles = [
        RandomAxialRotation()(
            dict(inputs=_random_inputs(3, 2, 2)))['rotation_angle']
        for _ in range(400)
    ]
    assert min(angles) < -2.8 and max(angles) > 2.8


# ------------------------------------------------- packing and collating


def _packed(frames, labels=None, channels=6, joints=3, name='seq'):
    results = dict(
        inputs=np.ones((channels, frames, joints), np.float32),
        frame_dir=name,
        total_frames=frames)
    if labels is not None:
        results['frame_labels'] = np.asarray(labels)
    return PackSegmentationInputs()(results)


def test_pack_segmentation_inputs():
    packed = _packed(5, [2, 2, 0, 0, 1])
    sample = packed['data_samples']
    assert isinstance(sample, SegmentationDataSample)
    assert packed['inputs'].dtype == torch.float32
    assert packed['inputs'].shape == (6, 5, 3)
    assert sample.gt_frame_labels.dtype == torch.long
    assert sample.gt_boundaries.tolist() == [1, 0, 1, 0, 1]
    assert sample.frame_mask.all()
    assert sample.metainfo == dict(frame_dir='seq', total_frames=5)
    assert 'gt_frame_labels' not in _packed(4)['data_samples']
    with pytest.raises(ValueError, match='3 frame labels for 5'):
        _packed(5, [0, 0, 1])


# ------------------------------------------------------- synthetic data


@pytest.fixture(scope='module')
def default_set():
    return syn_seg.make_segmentation_annotations()


def test_synthetic_set_splits_classes_and_lengths(default_set):
    assert len(default_set['split']['train']) == 120
    assert len(default_set['split']['test']) == 40
    assert default_set['classes'] == ['background'] + list(SYNTHETIC_CLASSES)
    test_subjects = {name[4:8] for name in default_set['split']['test']}
    assert test_subjects == {'P004', 'P008'}
    frames = [a['total_frames'] for a in default_set['annotations']]
    assert 250 <= min(frames) and max(frames) <= 1000
    assert 400 <= np.mean(frames) <= 700
    labels = np.concatenate(
        [a['frame_labels'] for a in default_set['annotations']])
    counts = np.bincount(labels, minlength=13)
    assert len(counts) == 13 and counts.min() > 0
    assert 0.1 < counts[0] / len(labels) < 0.4  # background


def test_synthetic_sequences_alternate_background_and_actions(default_set):
    for anno in default_set['annotations']:
        assert anno['keypoint'].shape == (1, anno['total_frames'], 25, 3)
        assert anno['keypoint'].dtype == np.float32
        assert anno['frame_labels'].dtype == np.int64
        segments = _segments(anno['frame_labels'])
        labels = [label for label, _, _ in segments]
        assert labels[0::2] == [0] * (len(labels) // 2 + 1)
        actions = labels[1::2]
        assert 4 <= len(actions) <= 8
        assert len(set(actions)) == len(actions) and 0 not in actions
        assert labels_to_boundaries(
            anno['frame_labels']).sum() == len(segments)
        gaps = [e - s for label, s, e in segments[2:-2:2]]
        assert all(10 <= gap <= 30 for gap in gaps)


def test_synthetic_generation_is_deterministic(small_set):
    again = syn_seg.make_segmentation_annotations(num_subjects=4, repeats=3)
    other = syn_seg.make_segmentation_annotations(
        num_subjects=4, repeats=3, seed=1)
    assert again['split'] == small_set['split']
    for a, b, c in zip(small_set['annotations'], again['annotations'],
                       other['annotations']):
        np.testing.assert_array_equal(a['keypoint'], b['keypoint'])
        np.testing.assert_array_equal(a['frame_labels'], b['frame_labels'])
        assert not np.array_equal(a['keypoint'], c['keypoint'])


def test_synthetic_transitions_are_smooth():
    clean = syn_seg.make_segmentation_annotations(
        num_subjects=2, repeats=5, noise_std=0.)
    for anno in clean['annotations']:
        joints, labels = anno['keypoint'][0], anno['frame_labels']
        steps = np.linalg.norm(np.diff(joints, axis=0), axis=-1).max(-1)
        changes = np.flatnonzero(labels[1:] != labels[:-1])
        # entering or leaving a background gap moves no joint > 1 cm
        assert steps[changes].max() < 0.01
        # gaps ease between poses: no step there exceeds 1.5 cm
        assert steps[labels[1:] == 0].max() < 0.015
    rest = forward_kinematics(
        make_subject_build(np.random.default_rng([0, 1, 1])),
        np.zeros((1, 25, 3)))[0][0]
    first = clean['annotations'][0]['keypoint'][0]
    # the sequence eases out of the subject's rest pose (camera space)
    spread = np.linalg.norm(first[0] - first[0, :1], axis=-1)
    np.testing.assert_allclose(
        spread, np.linalg.norm(rest - rest[:1], axis=-1), atol=5e-3)


def test_dataloader_over_the_synthetic_set(tmp_path, small_set):
    init_default_scope('mmaction')
    ann_file = _dump(small_set, tmp_path / 'seg.pkl')
    pipeline = [
        dict(type='SegmentationFeatures', num_person=1),
        dict(type='TemporalDownsample', factor=2),
        dict(type='SAEP'),
        dict(type='PackSegmentationInputs')
    ]
    loader = Runner.build_dataloader(
        dict(
            batch_size=4,
            num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(
                type='SkeletonSegmentationDataset',
                ann_file=ann_file,
                split='train',
                num_joints=25,
                keypoint_dims=3,
                min_frames=64,
                pipeline=pipeline)))
    seen = 0
    for batch in loader:
        batch = SegmentationDataPreprocessor()(batch, training=True)
        inputs, samples = batch['inputs'], batch['data_samples']
        lengths = [sample.metainfo['total_frames'] for sample in samples]
        assert inputs.shape == (len(samples), 6, max(lengths), 25)
        for n, (sample, real) in enumerate(zip(samples, lengths)):
            assert sample.gt_frame_labels.shape == (real, )
            assert (sample.gt_frame_labels < 13).all()
            assert sample.gt_boundaries.shape == (real, )
            assert sample.gt_boundaries[0] == 1
            assert inputs[n, :, :real].any(dim=(0, 2)).all()
            assert not inputs[n, :, real:].any()
        seen += len(samples)
    assert seen == 9
