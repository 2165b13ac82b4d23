"""A small, seeded, kinematically generated skeleton action dataset.

Every sample is a 25-joint NTU RGB+D skeleton animated by forward kinematics:
a rest skeleton scaled to the subject's build gets per-bone local rotations
(smooth curves over time) that perform one of :data:`SYNTHETIC_CLASSES` with
the named body part. Bodies are then placed in Kinect camera coordinates
(x right, y up, z = depth in metres). The COCO-17 2D layout is derived from the
same 3D motions and projected with a pinhole camera.

Body frame (used by :func:`generate_action`): x points to the subject's left,
y up, z backwards (the subject faces -z), origin at the rest SpineBase. With
zero yaw this frame is the camera frame shifted by the body position.
"""
import itertools

import numpy as np

from mmaction_ext.structures.skeleton_layouts import SKELETON_LAYOUTS
from .synthetic_motions import MOTIONS, Y, add_idle_motion
from .transforms.axis_rotation import rotation_matrix

SYNTHETIC_CLASSES = ('wave right hand', 'wave left hand', 'kick right leg',
                     'kick left leg', 'nod head', 'shake head', 'squat down',
                     'clap hands', 'raise both arms', 'punch with right fist',
                     'bow forward', 'march in place')
# NTU RGB+D cross-subject training subjects (those <= num_subjects are used).
XSUB_TRAIN_SUBJECTS = (1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27,
                       28, 31, 34, 35, 38)
XVIEW_TRAIN_CAMERAS = (2, 3)
CAMERA_YAWS = {1: -30., 2: 0., 3: 30.}  # degrees, body yaw seen per camera
IMG_SHAPE = (1080, 1920)
FOCAL = 1000.
FPS = 30
NUM_FRAMES = (40, 110)
TWO_PERSON_PROB = 0.25
REST_HEIGHT = 1.75

# The kinematic tree: LaSA's NTU tree, rooted at SpineBase.
NTU25_PARENTS = SKELETON_LAYOUTS['nturgb+d_lasa'].parents
# Offset of every joint from its parent in the body frame (metres) for a
# 1.75 m body standing upright, arms hanging; all rest rotations are the
# identity.
# yapf: disable
REST_OFFSETS = np.array((
    (0., 0., 0.), (0., .26, 0.), (0., .08, 0.), (0., .12, -.03),
    (.17, -.05, 0.), (.02, -.28, 0.), (0., -.25, -.03), (0., -.07, 0.),
    (-.17, -.05, 0.), (-.02, -.28, 0.), (0., -.25, -.03), (0., -.07, 0.),
    (.08, -.06, 0.), (0., -.42, 0.), (0., -.40, 0.), (0., -.06, -.10),
    (-.08, -.06, 0.), (0., -.42, 0.), (0., -.40, 0.), (0., -.06, -.10),
    (0., .22, 0.), (0., -.07, 0.), (0., -.08, -.04), (0., -.07, 0.),
    (0., -.08, -.04)))
# yapf: enable
_FK_ORDER = (0, 1, 20, 2, 3, 4, 5, 6, 7, 21, 22, 8, 9, 10, 11, 23, 24, 12, 13,
             14, 15, 16, 17, 18, 19)  # parents before children
_TRUNK_BONES = [1, 2, 3, 20]
_ARM_BONES = [5, 6, 7, 9, 10, 11, 21, 22, 23, 24]
_LEG_BONES = [13, 14, 15, 17, 18, 19]
# COCO body keypoints 5..16 copied from NTU joints; face points in the head
# frame (x left, y up, z back) relative to the Head joint.
_COCO_FROM_NTU = (4, 8, 5, 9, 6, 10, 12, 16, 13, 17, 14, 18)
_FACE_OFFSETS = np.array([[0., -.02, -.10], [.035, .02, -.085],
                          [-.035, .02, -.085], [.075, 0., -.01],
                          [-.075, 0., -.01]])


def make_subject_build(rng):
    """Draw a subject's rest skeleton.

    Args:
        rng (np.random.Generator): Random generator.

    Returns:
        np.ndarray: Bone offsets (25, 3) in metres for a body height in
        [1.5, 1.9] m with jittered trunk, arm, leg and shoulder proportions.
    """
    height = rng.uniform(1.5, 1.9)
    trunk, arm, leg, shoulder = rng.uniform(0.94, 1.06, 4)
    offsets = REST_OFFSETS.copy()
    offsets[_TRUNK_BONES] *= trunk
    offsets[_ARM_BONES] *= arm
    offsets[_LEG_BONES] *= leg
    offsets[[4, 8, 12, 16], 0] *= shoulder
    stature = REST_HEIGHT * _head_to_ankle(offsets) / _head_to_ankle(
        REST_OFFSETS)
    return offsets * height / stature


def _head_to_ankle(offsets):
    """Vertical Head-to-Ankle distance (m) of an upright skeleton."""
    return offsets[[1, 20, 2, 3], 1].sum() - offsets[[12, 13, 14], 1].sum()


def _axis_rotation(angle, axis):
    """Rotation matrices (..., 3, 3) by ``angle`` (...) about one axis."""
    return rotation_matrix(axis, np.cos(angle), np.sin(angle))


def _euler_to_matrix(angles):
    """Rotations ``Ry @ Rz @ Rx`` (..., 3, 3) from angles (..., 3), rad."""
    rx, ry, rz = (_axis_rotation(angles[..., k], k) for k in range(3))
    return ry @ rz @ rx


def forward_kinematics(offsets, angles):
    """Pose a skeleton from per-bone local rotations.

    Args:
        offsets (np.ndarray): Rest bone offsets (25, 3).
        angles (np.ndarray): Local Euler angles (T, 25, 3) in radians; entry
            ``j`` rotates the bone ending at joint ``j`` (and its subtree).

    Returns:
        tuple[np.ndarray, np.ndarray]: Joint positions (T, 25, 3) relative
        to SpineBase and global bone orientations (T, 25, 3, 3).
    """
    local = _euler_to_matrix(angles)
    glob = np.empty_like(local)
    pos = np.zeros(angles.shape)
    for j in _FK_ORDER:
        parent = NTU25_PARENTS[j]
        if parent < 0:
            glob[:, j] = local[:, j]
            continue
        glob[:, j] = glob[:, parent] @ local[:, j]
        pos[:, j] = pos[:, parent] + glob[:, j] @ offsets[j]
    return pos, glob


def _plant_feet(pos, rest):
    """Shift bodies (T, 25, 3) so the lower ankle stays where it rests."""
    left, right = pos[:, 14], pos[:, 18]
    w = 1. / (1. + np.exp((left[:, 1] - right[:, 1]) / 0.02))[:, None]
    anchor = w * (left - rest[14]) + (1. - w) * (right - rest[18])
    return pos - anchor[:, None]


def _animate(label, num_frames, rng, offsets):
    """Joint positions (T, 25, 3) and head frames (T, 3, 3), body frame."""
    t = np.arange(num_frames) / FPS
    lead, tail = rng.uniform(0.03, 0.1, 2) * num_frames
    dur = max(num_frames - 1 - lead - tail, 1.) / FPS
    s = np.clip((t - lead / FPS) / dur, 0., 1.)
    ang = np.zeros((num_frames, 25, 3))
    motion, side = MOTIONS[label]
    motion(ang, s, dur, rng, side)
    add_idle_motion(ang, t, rng)
    pos, glob = forward_kinematics(offsets, np.deg2rad(ang))
    rest = forward_kinematics(offsets, np.zeros((1, 25, 3)))[0][0]
    return _plant_feet(pos, rest), glob[:, 3]


def generate_action(label, num_frames, rng, subject_build=None):
    """Animate one person doing one action in body-centred coordinates.

    Args:
        label (int): Class index into :data:`SYNTHETIC_CLASSES`.
        num_frames (int): Number of frames T (30 fps).
        rng (np.random.Generator): Random generator (timing, amplitudes).
        subject_build (np.ndarray, optional): Bone offsets (25, 3) from
            :func:`make_subject_build`. Defaults to the 1.75 m rest body.

    Returns:
        np.ndarray: float32 joints (T, 25, 3) in metres (x left, y up,
        z back, origin at the rest SpineBase). The sequence starts and ends
        close to the rest pose.
    """
    offsets = REST_OFFSETS if subject_build is None else subject_build
    return _animate(label, num_frames, rng, offsets)[0].astype(np.float32)


def _make_scene(rng, label, cam, build):
    """Joints (M, T, 25, 3) and head frames (M, T, 3, 3), camera space."""
    num_frames = int(rng.integers(NUM_FRAMES[0], NUM_FRAMES[1] + 1))
    num_person = 2 if rng.random() < TWO_PERSON_PROB else 1
    yaw = CAMERA_YAWS[cam] + rng.uniform(-10, 10)
    origin = np.array([rng.uniform(-.3, .3), rng.uniform(-.15, .15), 3.])
    origin[2] += rng.uniform(-.25, .25)
    joints, heads = [], []
    for person in range(num_person):
        if person:  # a partner about 1 m to the side, own build and timing
            build = make_subject_build(rng)
            origin = origin + [
                rng.choice([-1, 1]) * rng.uniform(.9, 1.2), 0.,
                rng.uniform(-.2, .2)
            ]
            yaw += rng.uniform(-10, 10)
        pos, head = _animate(label, num_frames, rng, build)
        rot = _axis_rotation(np.deg2rad(yaw), Y)
        joints.append(pos @ rot.T + origin)
        heads.append(rot @ head)
    return np.stack(joints), np.stack(heads)


def _head_frames(skeleton3d):
    """Head frames (..., 3, 3) (columns left, up, back) from NTU joints."""
    up = skeleton3d[..., 3, :] - skeleton3d[..., 2, :]
    up /= np.linalg.norm(up, axis=-1, keepdims=True)
    back = np.cross(skeleton3d[..., 4, :] - skeleton3d[..., 8, :], up)
    back /= np.linalg.norm(back, axis=-1, keepdims=True)
    return np.stack([np.cross(up, back), up, back], -1)


def ntu25_to_coco17(skeleton3d, head_rot=None):
    """Derive 3D COCO keypoints from an NTU skeleton.

    Args:
        skeleton3d (np.ndarray): NTU joints (..., 25, 3).
        head_rot (np.ndarray, optional): Head frames (..., 3, 3) whose
            columns are the head's left, up and back directions. Defaults to
            an estimate from Head, Neck and the shoulders (blind to yaw).

    Returns:
        np.ndarray: COCO keypoints (..., 17, 3).
    """
    if head_rot is None:
        head_rot = _head_frames(skeleton3d)
    face = skeleton3d[..., 3:4, :] + np.einsum('...ij,kj->...ki', head_rot,
                                               _FACE_OFFSETS)
    body = skeleton3d[..., _COCO_FROM_NTU, :]
    return np.concatenate([face, body], axis=-2)


def project_points(points, focal=FOCAL, img_shape=IMG_SHAPE):
    """Pinhole projection of camera-space points to pixels.

    Args:
        points (np.ndarray): Points (..., 3), x right, y up, z depth.
        focal (float): Focal length in pixels (fx = fy).
        img_shape (tuple[int, int]): (height, width); the principal point is
            the image centre.

    Returns:
        np.ndarray: Pixel coordinates (..., 2) as (u, v), v pointing down.
    """
    h, w = img_shape
    u = w / 2 + focal * points[..., 0] / points[..., 2]
    v = h / 2 - focal * points[..., 1] / points[..., 2]
    return np.stack([u, v], axis=-1)


def _keypoint_scores(kp2d, kp3d, rng):
    """Scores (M, T, 17) in [0.5, 1]: lower when fast or on the far side."""
    speed = np.linalg.norm(np.gradient(kp2d, axis=1), axis=-1)
    torso_depth = kp3d[..., [5, 6, 11, 12], 2].mean(-1, keepdims=True)
    back = np.clip((kp3d[..., 2] - torso_depth) / 0.15, 0., 1.)
    score = (0.97 - 0.25 * np.clip(speed / 30., 0., 1.) - 0.2 * back +
             rng.normal(0., 0.02, speed.shape))
    return np.clip(score, 0.5, 1.).astype(np.float32)


def _keypoints(layout, joints, heads, rng):
    """Noisy ``keypoint`` (and ``keypoint_score``) of a scene in a layout."""
    if layout == 'nturgb+d':
        joints = joints + rng.normal(0., .01, joints.shape)
        return dict(keypoint=joints.astype(np.float32))
    kp3d = ntu25_to_coco17(joints, heads)
    kp3d += rng.normal(0., .01, kp3d.shape)
    kp2d = project_points(kp3d)
    return dict(
        keypoint=kp2d.astype(np.float32),
        keypoint_score=_keypoint_scores(kp2d, kp3d, rng))


def make_pose_annotations(layout='nturgb+d',
                          num_subjects=10,
                          repeats=4,
                          seed=0):
    """Build a PoseDataset annotation dict.

    Samples are named ``S001C{cam}P{subject}R{rep}A{label + 1}`` (3 digits
    each); the camera cycles over 1..3. Both layouts of one seed share the
    same 3D motions.

    Args:
        layout (str): ``'nturgb+d'`` (3D, 25 joints, metres) or ``'coco'``
            (2D, 17 keypoints, pixels, with ``keypoint_score``).
        num_subjects (int): Number of subjects (ids 1..num_subjects).
        repeats (int): Repetitions per subject and class.
        seed (int): Non-negative seed; same seed gives identical output.

    Returns:
        dict: ``split`` (xsub/xview train/val lists of frame_dir) and
        ``annotations`` (dicts with ``keypoint`` float32 (M, T, V, C)).
    """
    assert layout in ('nturgb+d', 'coco'), f'unknown layout {layout}'
    subjects = range(1, num_subjects + 1)
    builds = {
        p: make_subject_build(np.random.default_rng([seed, 1, p]))
        for p in subjects
    }
    split = dict(xsub_train=[], xsub_val=[], xview_train=[], xview_val=[])
    annotations = []
    for subject, label, rep in itertools.product(subjects,
                                                 range(len(SYNTHETIC_CLASSES)),
                                                 range(1, repeats + 1)):
        cam = (subject + label + rep) % 3 + 1
        key = [subject, rep, label]
        joints, heads = _make_scene(
            np.random.default_rng([seed, 2] + key), label, cam,
            builds[subject])
        name = f'S001C{cam:03d}P{subject:03d}R{rep:03d}A{label + 1:03d}'
        annotations.append(
            dict(
                frame_dir=name,
                label=label,
                img_shape=IMG_SHAPE,
                original_shape=IMG_SHAPE,
                total_frames=joints.shape[1],
                **_keypoints(layout, joints, heads,
                             np.random.default_rng([seed, 3] + key))))
        xsub = 'train' if subject in XSUB_TRAIN_SUBJECTS else 'val'
        xview = 'train' if cam in XVIEW_TRAIN_CAMERAS else 'val'
        split[f'xsub_{xsub}'].append(name)
        split[f'xview_{xview}'].append(name)
    return dict(split=split, annotations=annotations)
