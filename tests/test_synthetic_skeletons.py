"""The seeded synthetic skeleton datasets (embedded default data)."""
import pickle
import re

import numpy as np
import pytest

import mmaction_ext.compat as compat

compat.apply_all()

from mmengine.registry import init_default_scope  # noqa: E402

from mmaction.datasets import PoseDataset  # noqa: E402
from mmaction_ext.datasets import synthetic_skeletons as syn  # noqa: E402

SPLITS = ('xsub_train', 'xsub_val', 'xview_train', 'xview_val')
NAME = re.compile(r'^S001C00([123])P(\d{3})R(\d{3})A(\d{3})$')


@pytest.fixture(scope='module')
def ntu():
    return syn.make_pose_annotations('nturgb+d')


@pytest.fixture(scope='module')
def coco():
    return syn.make_pose_annotations('coco')


def rest_pose(offsets=syn.REST_OFFSETS):
    return syn.forward_kinematics(offsets, np.zeros((1, 25, 3)))[0][0]


def test_class_and_joint_tables():
    assert syn.SYNTHETIC_CLASSES == ('wave right hand', 'wave left hand',
                                     'kick right leg', 'kick left leg',
                                     'nod head', 'shake head', 'squat down',
                                     'clap hands', 'raise both arms',
                                     'punch with right fist', 'bow forward',
                                     'march in place')
    assert len(syn.NTU25_PARENTS) == len(syn.REST_OFFSETS) == 25
    assert syn.XVIEW_TRAIN_CAMERAS == (2, 3)


def test_rest_pose_is_an_upright_person_facing_minus_z():
    rest = rest_pose()
    assert rest[3, 1] > rest[20, 1] > rest[1, 1] > rest[0, 1]  # head on top
    assert rest[4, 0] > 0 > rest[8, 0]  # left shoulder at +x
    assert rest[15, 2] < rest[14, 2]  # feet point forward (-z)
    assert 1.45 < rest[3, 1] - rest[14, 1] < 1.65  # Head is mid-skull


@pytest.mark.parametrize('seed', [0, 1])
def test_subject_builds_vary_in_height(seed):
    heights = []
    for i in range(20):
        build = syn.make_subject_build(np.random.default_rng([seed, i]))
        rest = rest_pose(build)
        heights.append(rest[3, 1] - rest[14, 1])
    heights = np.array(heights) * syn.REST_HEIGHT / (
        rest_pose()[3, 1] - rest_pose()[14, 1])
    assert heights.min() >= 1.5 and heights.max() <= 1.9
    assert heights.std() > 0.05


# label -> (joints that must move, joints that must stay nearly still)
ACTIVE = {
    0: ([11], [7, 14, 18]),
    1: ([7], [11, 14, 18]),
    2: ([18], [14, 7, 11]),
    3: ([14], [18, 7, 11]),
    4: ([3], [7, 11, 14, 18]),
    5: ([3], [7, 11, 14, 18]),
    6: ([0, 3], [14, 18]),
    7: ([7, 11], [3, 14, 18]),
    8: ([7, 11], [3, 14, 18]),
    9: ([11], [7, 14, 18]),
    10: ([3, 20], [14, 18]),
    11: ([14, 18], [3]),
}


@pytest.mark.parametrize('label', range(12))
def test_generate_action_moves_the_named_body_part(label):
    rest = rest_pose()
    for seed in range(3):
        rng = np.random.default_rng([label, seed])
        num_frames = int(rng.integers(40, 111))
        seq = syn.generate_action(label, num_frames, rng)
        assert seq.shape == (num_frames, 25, 3) and seq.dtype == np.float32
        assert np.isfinite(seq).all()
        # starts and ends close to the rest pose (for concatenation)
        for end in (seq[0], seq[-1]):
            assert np.linalg.norm(end - rest, axis=-1).max() < 0.06
        travel = np.linalg.norm(seq - seq[:1], axis=-1).max(0)
        active, still = ACTIVE[label]
        assert travel[active].min() > 0.05
        assert travel[active].min() > 1.5 * travel[still].max()


def test_same_seed_same_bytes_other_seed_other_data():

    def make(seed):
        return syn.make_pose_annotations('coco', 3, 1, seed)

    first, again, other = make(0), make(0), make(1)
    assert pickle.dumps(first) == pickle.dumps(again)
    assert first['split'] == other['split']  # names do not depend on seed
    for a, b in zip(first['annotations'], other['annotations']):
        assert a['keypoint'].shape != b['keypoint'].shape or \
            not np.allclose(a['keypoint'], b['keypoint'])


def check_common_format(data, num_joints, channels):
    annos = data['annotations']
    assert len(annos) == 10 * 12 * 4
    assert len({a['frame_dir'] for a in annos}) == len(annos)
    assert set(data['split']) == set(SPLITS)
    for anno in annos:
        cam, subject, _, action = map(int,
                                      NAME.match(anno['frame_dir']).groups())
        assert anno['label'] == action - 1
        assert anno['img_shape'] == anno['original_shape'] == (1080, 1920)
        kp = anno['keypoint']
        assert kp.dtype == np.float32 and np.isfinite(kp).all()
        assert kp.ndim == 4 and kp.shape[0] in (1, 2)
        assert kp.shape[1:] == (anno['total_frames'], num_joints, channels)
        assert 40 <= anno['total_frames'] <= 110
    counts = np.bincount([a['label'] for a in annos])
    assert (counts == 40).all()


def test_ntu_3d_format(ntu):
    check_common_format(ntu, 25, 3)
    depth = np.concatenate(
        [a['keypoint'][:, 0, 0, 2] for a in ntu['annotations']])
    assert 2.5 < depth.min() and depth.max() < 3.5  # SpineBase at start
    for anno in ntu['annotations'][:50]:
        kp = anno['keypoint']
        assert (kp[..., 3, 1] > kp[..., 0, 1] + .3).all()  # y points up
        assert 'keypoint_score' not in anno


def test_coco_2d_format(coco):
    check_common_format(coco, 17, 2)
    for anno in coco['annotations']:
        kp, score = anno['keypoint'], anno['keypoint_score']
        assert score.dtype == np.float32
        assert score.shape == kp.shape[:3]
        assert score.min() >= 0.5 and score.max() <= 1.
        assert (kp[..., 0, 1] < kp[..., 15, 1]).all()  # image v points down
        assert (kp[..., 0] > 0).all() and (kp[..., 0] < 1920).all()
        assert (kp[..., 1] > 0).all() and (kp[..., 1] < 1080).all()


def test_layouts_share_the_3d_motion(ntu, coco):
    for a3, a2 in zip(ntu['annotations'], coco['annotations']):
        assert a3['frame_dir'] == a2['frame_dir']
        assert a3['keypoint'].shape[:2] == a2['keypoint'].shape[:2]
        # NTU shoulders/elbows/wrists/hips/knees/ankles are COCO 5..16
        ntu_body = a3['keypoint'][:, :, [4, 8, 5, 9, 6, 10, 12, 16, 13]]
        err = syn.project_points(ntu_body) - a2['keypoint'][:, :, 5:14]
        assert np.abs(err).mean() < 10  # pixels; both carry ~1 cm noise


def test_splits_by_subject_and_camera(ntu):
    split = ntu['split']
    names = {a['frame_dir'] for a in ntu['annotations']}
    for kind in ('xsub', 'xview'):
        train, val = set(split[f'{kind}_train']), set(split[f'{kind}_val'])
        assert not train & val and train | val == names
        assert len(train) > len(val) > 0
    subjects = {
        part: {int(NAME.match(n).group(2))
               for n in split[f'xsub_{part}']}
        for part in ('train', 'val')
    }
    assert not subjects['train'] & subjects['val']
    assert subjects['train'] == {1, 2, 4, 5, 8, 9}
    for part, cams in (('train', {2, 3}), ('val', {1})):
        assert {int(NAME.match(n).group(1))
                for n in split[f'xview_{part}']} == cams


def test_lengths_and_person_counts_vary(ntu):
    annos = ntu['annotations']
    assert len({a['total_frames'] for a in annos}) > 30
    persons = np.array([a['keypoint'].shape[0] for a in annos])
    assert 0.15 < (persons == 2).mean() < 0.35
    two = next(a['keypoint'] for a in annos if a['keypoint'].shape[0] == 2)
    gap = np.abs(two[0, :, 0, 0] - two[1, :, 0, 0]).mean()
    assert 0.7 < gap < 1.5  # the partner stands about 1 m to the side


def yaw_aligned_energy(keypoint):
    """Per-joint, per-axis std of the main person, shoulders along x."""
    x = keypoint[0].astype(np.float64)
    shoulders = (x[:, 4] - x[:, 8]).mean(0)
    yaw = np.arctan2(shoulders[2], shoulders[0])
    c, s = np.cos(yaw), np.sin(yaw)
    rot = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return ((x - x[:, :1].mean(0)) @ rot.T).std(0).ravel()


def image_energy(keypoint):
    """Per-keypoint std of the main person in units of torso length."""
    x = keypoint[0].astype(np.float64)
    torso = np.linalg.norm(x[:, 5:7].mean(1) - x[:, 11:13].mean(1), axis=-1)
    return (x.std(0) / torso.mean()).ravel()


@pytest.mark.parametrize('layout,feature', [('ntu', yaw_aligned_energy),
                                            ('coco', image_energy)])
def test_nearest_centroid_separates_classes(layout, feature, request):
    data = request.getfixturevalue(layout)
    annos = {a['frame_dir']: a for a in data['annotations']}

    def features(split):
        items = [annos[n] for n in data['split'][split]]
        return (np.stack([feature(a['keypoint']) for a in items]),
                np.array([a['label'] for a in items]))

    x_train, y_train = features('xsub_train')
    x_val, y_val = features('xsub_val')
    centroids = np.stack([x_train[y_train == k].mean(0) for k in range(12)])
    dist = ((x_val[:, None] - centroids[None])**2).sum(-1)
    accuracy = (dist.argmin(1) == y_val).mean()
    assert accuracy > 0.7, accuracy


@pytest.mark.parametrize('layout,norm,num_joints', [
    ('nturgb+d', 'PreNormalize3D', 25),
    ('coco', 'PreNormalize2D', 17),
])
def test_mmaction_pose_dataset_loads_the_pkl(tmp_path, layout, norm,
                                             num_joints):
    init_default_scope('mmaction')
    path = str(tmp_path / 'synthetic.pkl')
    with open(path, 'wb') as f:
        pickle.dump(syn.make_pose_annotations(layout, 4, 1), f)
    pipeline = [
        dict(type=norm),
        dict(type='GenSkeFeat', dataset=layout, feats=['j']),
        dict(type='UniformSampleFrames', clip_len=32),
        dict(type='PoseDecode'),
        dict(type='FormatGCNInput', num_person=2),
        dict(type='PackActionInputs')
    ]
    dataset = PoseDataset(path, pipeline, split='xsub_train')
    assert len(dataset) == 3 * 12  # subjects 1, 2, 4
    for idx in (0, len(dataset) - 1):
        sample = dataset[idx]
        assert tuple(sample['inputs'].shape) == (1, 2, 32, num_joints, 3)
        assert sample['inputs'].isfinite().all()
        assert 0 <= int(sample['data_samples'].gt_label) < 12
