"""Data converters (NTU .skeleton, NW-UCLA json) and NW-UCLA transforms."""
import json
import math
import os.path as osp
import re
import subprocess
import sys

import mmengine
import numpy as np
import pytest
from mmcv.transforms import Compose

import mmaction_ext  # noqa: F401
from mmaction.registry import TRANSFORMS
from mmaction_ext.datasets import ValidatedPoseDataset, check_pose_annotation
from mmaction_ext.datasets.transforms import (CenterOnFirstFrameJoint,
                                              MinMaxNormalize,
                                              RandomViewTransform,
                                              RepeatSampleFrames)
from mmaction_ext.datasets.label_maps import LABEL_MAP_DIR
from mmaction_ext.datasets.transforms.random_view_transform import \
    view_transform_matrix

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
import ntu_skeleton_to_pkl as ntu  # noqa: E402
import nwucla_to_pkl as ucla  # noqa: E402

LABELS = LABEL_MAP_DIR
MALFORMED = 'S002C003P008R001A010'
MISSING = 'S001C002P005R002A008'  # in NTU's missing-skeleton list

# ---------------------------------------------------------------- NTU --


def skeleton_lines(frames):
    """Lines of a .skeleton file; frames = [[(body_id, joints25x3)]]."""
    lines = [str(len(frames))]
    for bodies in frames:
        lines.append(str(len(bodies)))
        for body_id, joints in bodies:
            lines.append(f'{body_id} 0 1 1 0 1 0 0.01 -0.02 2')
            lines.append('25')
            lines += [
                f'{x:.6f} {y:.6f} {z:.6f} 250.5 210.1 960.2 530.7 0.5 0.1 '
                f'0.2 0.3 2' for x, y, z in joints
            ]
    return lines


def write_skeleton(folder, name, frames=None, lines=None):
    lines = skeleton_lines(frames) if lines is None else lines
    (folder / f'{name}.skeleton').write_text('\n'.join(lines) + '\n')


def moving_body(rng, num_frames, speed):
    base = rng.normal(size=(25, 3))
    steps = speed * rng.normal(size=(num_frames, 1, 3)).cumsum(axis=0)
    return base + steps


@pytest.fixture
def ntu_dir(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / 'skeletons'
    folder.mkdir()
    # One body, frame 2 has no body.
    one = moving_body(rng, 5, 0.1)
    write_skeleton(folder, 'S001C002P001R001A001',
                   [[('72057594037931101', one[t])] if t != 2 else []
                    for t in range(5)])
    # Three bodies: 'mid' listed first, 'tiny' barely moves and is alone in
    # the last frame, which must be dropped.
    big, mid = moving_body(rng, 7, 1.0), moving_body(rng, 7, 0.3)
    tiny = moving_body(rng, 7, 0.001)
    frames = [[('mid', mid[t]), ('big', big[t])] for t in range(6)]
    frames[0] = [('big', big[0]), ('tiny', tiny[0])]
    frames[2].append(('tiny', tiny[2]))
    frames.append([('tiny', tiny[6])])
    write_skeleton(folder, 'S001C001P003R002A050', frames)
    # NTU120 only (setup 18).
    write_skeleton(folder, 'S018C003P045R001A061',
                   [[('7', b)] for b in moving_body(rng, 3, 0.1)])
    # Malformed: a joint line with 11 values.
    lines = skeleton_lines([[('1', b)] for b in moving_body(rng, 2, 0.1)])
    lines[34] = ' '.join(lines[34].split()[:11])
    write_skeleton(folder, MALFORMED, lines=lines)
    # No body at all.
    write_skeleton(folder, MISSING, [[], [], []])
    ignore = tmp_path / 'missing.txt'
    ignore.write_text('1 of the samples have missing skeletons.\nPlease '
                      f'ignore these files.\n\n{MISSING}\n')
    return folder, str(ignore)


def naive_parse(path):
    """Token-stream parse (like MATLAB fscanf): [{body_id: joints}]."""
    tokens = iter(open(path).read().split())
    frames = []
    for _ in range(int(next(tokens))):
        bodies = {}
        for _ in range(int(next(tokens))):
            body_id = next(tokens)
            for _ in range(9):
                next(tokens)
            joints = []
            for _ in range(int(next(tokens))):
                values = [next(tokens) for _ in range(12)]
                joints.append([float(v) for v in values[:3]])
            bodies[body_id] = np.array(joints, dtype=np.float32)
        frames.append(bodies)
    return frames


def naive_keypoint(path):
    """Two most-moving tracks, frames without them dropped."""
    frames = naive_parse(path)
    values = {}
    for bodies in frames:
        for body_id, joints in bodies.items():
            values.setdefault(body_id, []).extend(joints.tolist())
    motion = {}
    for body_id, points in values.items():
        total = 0.
        for axis in range(3):
            column = [float(p[axis]) for p in points]
            mean = sum(column) / len(column)
            total += sum((c - mean)**2 for c in column) / len(column)
        motion[body_id] = total
    kept = sorted(motion, key=lambda k: -motion[k])[:2]
    times = [t for t, b in enumerate(frames) if any(k in b for k in kept)]
    out = np.zeros((len(kept), len(times), 25, 3), np.float32)
    for m, body_id in enumerate(kept):
        for i, t in enumerate(times):
            if body_id in frames[t]:
                out[m, i] = frames[t][body_id]
    return out


def test_ntu_protocol_facts():
    assert len(ntu.NTU60_XSUB_TRAIN) == 20
    assert len(set(ntu.NTU120_XSUB_TRAIN)) == 53
    assert max(ntu.NTU120_XSUB_TRAIN) <= 106
    assert ntu.parse_name('S017C003P040R002A060') == dict(
        setup=17, camera=3, subject=40, replication=2, action=60)
    assert ntu.parse_name('S017C003P040R002A60') == {}


def test_ntu_bad_files_are_named(ntu_dir):
    folder, _ = ntu_dir
    with pytest.raises(ntu.ConversionError) as err:
        ntu.convert(str(folder), 'ntu60')
    message = str(err.value)
    assert f'{MALFORMED}.skeleton:35: expected a joint line (12 values), ' \
        'got 11' in message
    assert f'{MISSING}.skeleton: no body in any frame' in message


@pytest.mark.parametrize('text, line, reason', [
    ('2\n1\n', 2, 'file ends early, expected a body info line'),
    ('x\n', 1, "expected the frame count, got 'x'"),
    ('1\n1\n1 0 1 1 0 1 0 0.1 0.1 2\n24\n', 4, 'expected 25 joints'),
    ('1\n0\n7\n', 3, 'unexpected content after the last frame'),
])
def test_ntu_parse_errors(tmp_path, text, line, reason):
    path = tmp_path / 'S001C001P001R001A001.skeleton'
    path.write_text(text)
    with pytest.raises(
            ntu.SkeletonFormatError,
            match=re.escape(f'{path}:{line}: {reason}')):
        ntu.read_skeleton_file(str(path))


def test_ntu_bad_name_and_label(tmp_path):
    frames = [[('1', np.zeros((25, 3)))]]
    write_skeleton(tmp_path, 'notes', frames)
    write_skeleton(tmp_path, 'S001C001P001R001A061', frames)
    _, bad, _ = ntu.convert(str(tmp_path), 'ntu60', skip_bad=True)
    assert bad == [
        f'{tmp_path}/S001C001P001R001A061.skeleton: action A061 is outside '
        'the 60 classes of ntu60',
        f'{tmp_path}/notes.skeleton: name is not SsssCcccPpppRrrrAaaa'
    ]


@pytest.mark.parametrize('workers', [1, 2])
def test_ntu60_conversion(ntu_dir, workers):
    folder, ignore = ntu_dir
    data, bad, stats = ntu.convert(
        str(folder), 'ntu60', ignore=ignore, workers=workers, skip_bad=True)
    assert len(bad) == 1 and MALFORMED in bad[0]
    assert stats == dict(ignored=1, other_benchmark=1)
    annos = {a['frame_dir']: a for a in data['annotations']}
    assert sorted(annos) == ['S001C001P003R002A050', 'S001C002P001R001A001']
    assert data['split'] == dict(
        xsub_train=['S001C002P001R001A001'],
        xsub_val=['S001C001P003R002A050'],
        xview_train=['S001C002P001R001A001'],
        xview_val=['S001C001P003R002A050'])
    for name, anno in annos.items():
        expected = naive_keypoint(folder / f'{name}.skeleton')
        assert anno['keypoint'].dtype == np.float32
        np.testing.assert_array_equal(anno['keypoint'], expected)
        assert anno['label'] == int(name[-3:]) - 1
        assert anno['total_frames'] == expected.shape[1]
        assert anno['img_shape'] == anno['original_shape'] == (1080, 1920)
        assert check_pose_annotation(anno, 25, 60, 3) == []
    assert annos['S001C002P001R001A001']['keypoint'].shape == (1, 4, 25, 3)
    two = annos['S001C001P003R002A050']['keypoint']
    assert two.shape == (2, 6, 25, 3)  # 'tiny' and its frame dropped
    assert (two[1, 0] == 0).all()  # 'mid' absent from frame 0


@pytest.mark.slow
def test_ntu120_conversion_and_cli(ntu_dir, tmp_path):
    folder, ignore = ntu_dir
    data, _, stats = ntu.convert([str(folder)],
                                 'ntu120',
                                 ignore=ignore,
                                 skip_bad=True)
    assert stats['other_benchmark'] == 0
    assert data['split'] == dict(
        xsub_train=['S001C002P001R001A001', 'S018C003P045R001A061'],
        xsub_val=['S001C001P003R002A050'],
        xset_train=['S018C003P045R001A061'],
        xset_val=['S001C001P003R002A050', 'S001C002P001R001A001'])
    out = tmp_path / 'out' / 'ntu120.pkl'
    cmd = [
        sys.executable,
        osp.join(ROOT, 'tools/data/ntu_skeleton_to_pkl.py'), '--skeleton-dir',
        str(folder), '--out',
        str(out), '--benchmark', 'ntu120', '--ignore', ignore, '--workers', '2'
    ]
    failed = subprocess.run(cmd, capture_output=True, text=True)
    assert failed.returncode == 1 and f'{MALFORMED}.skeleton:35' in \
        failed.stderr and not out.exists()
    done = subprocess.run(cmd + ['--skip-bad'], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert MALFORMED in done.stderr and 'xset_train: 1' in done.stdout
    loaded = mmengine.load(str(out))
    assert loaded['split'] == data['split']
    for a, b in zip(loaded['annotations'], data['annotations']):
        np.testing.assert_array_equal(a['keypoint'], b['keypoint'])
    dataset = ValidatedPoseDataset(
        str(out),
        pipeline=[],
        split='xsub_train',
        num_joints=25,
        keypoint_dims=3,
        num_classes=120)
    assert len(dataset) == 2


def test_ntu_label_map(tmp_path):
    short = tmp_path / 'labels.txt'
    short.write_text('# comment\n' + 'x\n' * 60)
    assert len(ntu.read_label_map(str(short), 60)) == 60
    with pytest.raises(ValueError, match='60 classes, the benchmark needs'):
        ntu.read_label_map(str(short), 120)


def test_ntu_official_label_file(ntu_dir):
    names = ntu.read_label_map(f'{LABELS}/ntu120.txt', 120)
    assert names[0] == 'drink water' and len(names) == 120
    folder, ignore = ntu_dir
    data, _, _ = ntu.convert(
        str(folder), 'ntu120', ignore, f'{LABELS}/ntu120.txt', skip_bad=True)
    assert {a['label'] for a in data['annotations']} == {0, 49, 60}


# ------------------------------------------------------------ NW-UCLA --

UCLA_GOOD = {'a01_s01_e00_v01': 5, 'a12_s02_e01_v03': 3, 'a08_s03_e00_v02': 1}


def write_json(folder, name, content):
    text = content if isinstance(content, str) else json.dumps(content)
    (folder / f'{name}.json').write_text(text)


@pytest.fixture
def ucla_dir(tmp_path):
    rng = np.random.default_rng(1)
    folder = tmp_path / 'all_sqe'
    folder.mkdir()
    for name, length in UCLA_GOOD.items():
        skeletons = rng.normal(size=(length, 20, 3)).round(4).tolist()
        write_json(folder, name, dict(file_name=name, skeletons=skeletons))
    return folder


def test_ucla_conversion(ucla_dir):
    data, bad, unlisted = ucla.convert(str(ucla_dir))
    assert bad == [] and unlisted == 0
    assert data['split'] == dict(
        train=['a01_s01_e00_v01', 'a08_s03_e00_v02'], val=['a12_s02_e01_v03'])
    labels = {a['frame_dir']: a['label'] for a in data['annotations']}
    assert labels == {
        'a01_s01_e00_v01': 0,
        'a08_s03_e00_v02': 6,
        'a12_s02_e01_v03': 9
    }
    for anno in data['annotations']:
        raw = json.load(open(ucla_dir / f'{anno["frame_dir"]}.json'))
        expected = np.array(raw['skeletons'], dtype=np.float32)[None]
        np.testing.assert_array_equal(anno['keypoint'], expected)
        assert anno['keypoint'].shape == (1, UCLA_GOOD[anno['frame_dir']], 20,
                                          3)
        assert anno['total_frames'] == UCLA_GOOD[anno['frame_dir']]
        assert check_pose_annotation(anno, 20, 10, 3) == []


@pytest.mark.slow
def test_ucla_bad_files(ucla_dir, tmp_path):
    zeros = np.zeros((4, 20, 3)).tolist()
    write_json(ucla_dir, 'a07_s01_e00_v01', dict(skeletons=zeros))
    write_json(ucla_dir, 'a02_s01_e00_v03',
               dict(skeletons=np.zeros((4, 19, 3)).tolist()))
    write_json(ucla_dir, 'a03_s01_e00_v01', '{"skeletons": [[[1, 2')
    write_json(ucla_dir, 'a04_s01_e00_v02',
               dict(file_name='a04_s01_e01_v02', skeletons=zeros))
    write_json(ucla_dir, 'a05_s01_e00_v01', dict(joints=zeros))
    with pytest.raises(ucla.ConversionError) as err:
        ucla.convert(str(ucla_dir))
    for name, reason in [('a07_s01_e00_v01', 'action a07'),
                         ('a02_s01_e00_v03', 'has shape (4, 19, 3)'),
                         ('a03_s01_e00_v01', 'cannot read json'),
                         ('a04_s01_e00_v02', 'does not match'),
                         ('a05_s01_e00_v01', 'no "skeletons"')]:
        assert f'{ucla_dir}/{name}.json: ' in str(err.value)
        assert reason in str(err.value)
    data, bad, _ = ucla.convert(str(ucla_dir), skip_bad=True)
    assert len(bad) == 5 and len(data['annotations']) == 3
    out = tmp_path / 'ucla.pkl'
    done = subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools/data/nwucla_to_pkl.py'), '--json-dir',
        str(ucla_dir), '--out',
        str(out), '--skip-bad'
    ],
                          capture_output=True,
                          text=True)
    assert done.returncode == 0 and 'a07_s01_e00_v01' in done.stderr
    assert mmengine.load(str(out))['split'] == data['split']


def fake_feeder(path, val, train):
    entry = '{{"file_name": "{}", "length": 3, "label": {}}}'
    lists = [
        ', '.join(entry.format(n, y) for n, y in names)
        for names in (val, train)
    ]
    path.write_text(
        'class Feeder:\n    def __init__(self, label_path):\n'
        "        if 'val' in label_path:\n"
        f'            self.data_dict = [{lists[0]}]\n'
        f'        else:\n            self.data_dict = [{lists[1]}]\n')
    return str(path)


def test_ucla_official_lists(ucla_dir, tmp_path):
    feeder = fake_feeder(tmp_path / 'feeder_ucla.py',
                         [('a12_s02_e01_v03', 10)], [('a01_s01_e00_v01', 1)])
    data, bad, unlisted = ucla.convert(str(ucla_dir), feeder)
    assert data['split'] == dict(
        train=['a01_s01_e00_v01'], val=['a12_s02_e01_v03'])
    assert unlisted == 1 and len(data['annotations']) == 2 and bad == []
    wrong = fake_feeder(tmp_path / 'wrong.py', [('a12_s02_e01_v03', 9)], [])
    with pytest.raises(ValueError, match='disagrees with the label'):
        ucla.convert(str(ucla_dir), wrong)
    absent = fake_feeder(tmp_path / 'absent.py', [('a01_s09_e00_v03', 1)], [])
    with pytest.raises(ucla.ConversionError, match='listed by the official'):
        ucla.convert(str(ucla_dir), absent)


def test_ucla_label_mapping_matches_label_file():
    text = open(f'{LABELS}/nwucla.txt').read()
    header = ''.join(s for s in text.splitlines() if s.startswith('#'))
    pairs = {int(a): int(y) for a, y in re.findall(r'a(\d\d)->(\d+)', header)}
    assert pairs == ucla.ACTION_TO_LABEL
    classes = [s for s in text.splitlines() if s and not s.startswith('#')]
    assert len(classes) == ucla.NUM_CLASSES


# --------------------------------------------------- NW-UCLA transforms --


def clip(seed=0, frames=30, persons=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(persons, frames, 20, 3)).astype(np.float32)


def test_center_on_first_frame_joint():
    keypoint = clip(persons=2)
    out = CenterOnFirstFrameJoint(joint=1)(dict(keypoint=keypoint.copy()))
    expected = keypoint.copy()
    for m in range(2):
        for t in range(30):
            for v in range(20):
                for c in range(3):
                    expected[m, t, v, c] -= keypoint[0, 0, 1, c]
    np.testing.assert_allclose(out['keypoint'], expected, atol=1e-6)
    assert (out['keypoint'][0, 0, 1] == 0).all()
    assert out['keypoint'].dtype == np.float32


def rotate_point(point, agx, agy, scale):
    """p @ Ry @ Rx * s written out with scalars."""
    x, y, z = point
    cx, sx = math.cos(math.radians(agx)), math.sin(math.radians(agx))
    cy, sy = math.cos(math.radians(agy)), math.sin(math.radians(agy))
    x, z = x * cy + z * sy, -x * sy + z * cy  # row vector times Ry
    y, z = y * cx - z * sx, y * sx + z * cx  # then times Rx
    return [scale * x, scale * y, scale * z]


def test_view_transform_matrix():
    points = clip(frames=2).reshape(-1, 3)
    matrix = view_transform_matrix(-37, 52, 1.3)
    expected = [rotate_point(p, -37, 52, 1.3) for p in points]
    np.testing.assert_allclose(points @ matrix, expected, atol=1e-6)
    np.testing.assert_allclose(view_transform_matrix(0, 0, 1.), np.eye(3))


def test_random_view_transform():
    transform = RandomViewTransform()
    np.random.seed(3)
    agx, agy, scale = transform.draw()
    np.random.seed(3)
    keypoint = clip()
    out = transform(dict(keypoint=keypoint.copy()))['keypoint']
    expected = np.array(
        [rotate_point(p, agx, agy, scale) for p in keypoint.reshape(-1, 3)])
    np.testing.assert_allclose(out.reshape(-1, 3), expected, atol=1e-5)
    assert out.dtype == np.float32
    np.random.seed(0)
    draws = np.array([transform.draw() for _ in range(20000)])
    assert (draws[:, :2] == draws[:, :2].round()).all()
    assert draws[:, :2].min() == -60 and draws[:, :2].max() == 60
    assert 0.5 <= draws[:, 2].min() and draws[:, 2].max() < 1.5
    np.random.seed(5)
    again = transform(dict(keypoint=keypoint.copy()))['keypoint']
    np.random.seed(5)
    np.testing.assert_array_equal(
        again,
        transform(dict(keypoint=keypoint.copy()))['keypoint'])
    assert not np.allclose(again, out)


def test_min_max_normalize():
    keypoint = clip(persons=2) * 3 + 1
    keypoint[..., 2] = 4.  # a constant axis
    out = MinMaxNormalize()(dict(keypoint=keypoint.copy()))['keypoint']
    expected = np.empty_like(keypoint)
    for c in range(3):
        values = keypoint[..., c].ravel().tolist()
        low, high = min(values), max(values)
        for index in np.ndindex(keypoint.shape[:3]):
            value = keypoint[index + (c, )]
            expected[index + (c, )] = (2 * (value - low) / (high - low) -
                                       1 if high > low else -1)
    np.testing.assert_allclose(out, expected, atol=1e-6)
    assert out[..., :2].min() == -1 and out[..., :2].max() == 1


@pytest.mark.parametrize('frames', [1, 5, 52, 100, 222])
def test_repeat_sample_frames(frames):
    keypoint = np.arange(frames, dtype=np.float32)[None, :, None, None]
    keypoint = np.broadcast_to(keypoint, (1, frames, 20, 3)).copy()
    np.random.seed(0)
    out = RepeatSampleFrames()(dict(keypoint=keypoint))
    indices = out['keypoint'][0, :, 0, 0].astype(int)
    assert out['keypoint'].shape == (1, 52, 20, 3)
    assert out['total_frames'] == out['clip_len'] == 52
    assert out['num_clips'] == 1
    assert (np.diff(indices) >= 0).all() and indices.max() < frames
    assert np.bincount(indices).max() <= 100
    np.random.seed(0)
    again = RepeatSampleFrames()(dict(keypoint=keypoint))['keypoint']
    np.testing.assert_array_equal(again, out['keypoint'])
    test = RepeatSampleFrames(test_mode=True)(dict(keypoint=keypoint))
    got = test['keypoint'][0, :, 0, 0].astype(int)
    # The feeder's np.linspace(...).astype(int); within 1 of the exact
    # floor(i * (T - 1) / 51) (float rounding, e.g. T = 222).
    np.testing.assert_array_equal(got,
                                  np.linspace(0, frames - 1, 52).astype(int))
    exact = [i * (frames - 1) // 51 for i in range(52)]
    assert np.abs(got - exact).max() <= 1


def test_repeat_sample_frames_spreads_long_clips():
    np.random.seed(1)
    indices = RepeatSampleFrames().frame_indices(300)
    assert indices.min() < 30 and indices.max() > 270
    with pytest.raises(ValueError, match='repeats < clip_len'):
        RepeatSampleFrames(num_repeats=10).frame_indices(5)


def official_ucla_sample(value, agx=0, agy=0, scale=1., idx=None):
    """The official feeder's steps on (T, 20, 3), written out."""
    value = np.asarray(value, np.float64)
    value = value - value[0, 1, :]
    points = np.array(
        [rotate_point(p, agx, agy, scale) for p in value.reshape(-1, 3)])
    points = (points - points.min(0)) / (points.max(0) - points.min(0))
    value = (points * 2 - 1).reshape(-1, 20, 3)
    if idx is None:
        idx = np.linspace(0, len(value) - 1, 52).astype(int)
    return value[idx]


def ucla_pipeline(train):
    steps = [dict(type='CenterOnFirstFrameJoint', joint=1)]
    if train:
        steps.append(dict(type='RandomViewTransform'))
    steps += [
        dict(type='MinMaxNormalize'),
        dict(type='RepeatSampleFrames', clip_len=52, test_mode=not train)
    ]
    return Compose([TRANSFORMS.build(s) for s in steps])


def test_ucla_pipeline_matches_official_test_branch():
    value = clip(frames=37)[0]
    out = ucla_pipeline(False)(dict(keypoint=value[None].copy()))
    np.testing.assert_allclose(
        out['keypoint'][0], official_ucla_sample(value), atol=1e-5)


def test_ucla_pipeline_matches_official_train_branch(monkeypatch):
    value = clip(frames=23)[0]
    idx = np.sort(np.random.default_rng(0).integers(0, 23, 52))
    monkeypatch.setattr(RandomViewTransform, 'draw', lambda self:
                        (-45, 17, 0.8))
    monkeypatch.setattr(RepeatSampleFrames, 'frame_indices',
                        lambda self, n: idx)
    out = ucla_pipeline(True)(dict(keypoint=value[None].copy()))
    expected = official_ucla_sample(value, -45, 17, 0.8, idx)
    np.testing.assert_allclose(out['keypoint'][0], expected, atol=1e-5)


def test_transform_reprs():
    assert repr(CenterOnFirstFrameJoint()) == \
        'CenterOnFirstFrameJoint(joint=1, person=0)'
    assert repr(RandomViewTransform(30, (0.8, 1.2))) == \
        'RandomViewTransform(max_angle=30, scale_range=(0.8, 1.2))'
    assert repr(MinMaxNormalize()) == 'MinMaxNormalize()'
    assert repr(RepeatSampleFrames(16, test_mode=True)) == \
        'RepeatSampleFrames(clip_len=16, num_repeats=100, test_mode=True)'
