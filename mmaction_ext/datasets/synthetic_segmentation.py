"""Seeded synthetic untrimmed skeleton sequences for action segmentation.

Each sequence is one subject (NTU RGB+D 25 joints, 3D metres, Kinect camera
space as in :mod:`mmaction_ext.datasets.synthetic_skeletons`) performing
4-8 distinct actions of :data:`SYNTHETIC_CLASSES` one after another, with
short background gaps (label 0) in which the body eases smoothly from the
pose that ends one action to the pose that starts the next (and from / to
the rest pose at the ends of the sequence). Action ``k`` of the
recognition set has label ``k + 1``. Sequences last ~300-850 frames
(560 on average with the defaults; at most 1060 by construction).

Splits by subject: every 4th subject is a ``test`` subject, the others
``train`` (8 subjects x 20 sequences give 120 train and 40 test
sequences). The same seed and subject give the same body build as the
recognition set.
"""
import numpy as np

from .synthetic_skeletons import (CAMERA_YAWS, SYNTHETIC_CLASSES,
                                  forward_kinematics, generate_action,
                                  make_subject_build)
from .transforms.axis_rotation import axis_rotation

SEGMENTATION_CLASSES = ('background', ) + SYNTHETIC_CLASSES
ACTIONS_PER_SEQUENCE = (4, 8)
ACTION_FRAMES = (45, 100)
GAP_FRAMES = (10, 30)  # background between two actions
EDGE_FRAMES = (5, 20)  # background before the first and after the last
TEST_EVERY = 4  # subjects 4, 8, ... are test subjects


def ease(start: np.ndarray, end: np.ndarray, frames: int) -> np.ndarray:
    """Frames strictly between two poses on a cosine ease-in-out.

    Args:
        start (np.ndarray): Pose (V, 3) before the gap.
        end (np.ndarray): Pose (V, 3) after the gap.
        frames (int): Gap length G.

    Returns:
        np.ndarray: Poses (G, V, 3); with ``start`` before and ``end`` after
        them, every step is at most ``pi / (2 (G + 1))`` of the distance.
    """
    phase = np.arange(1, frames + 1) / (frames + 1)
    weight = (0.5 - 0.5 * np.cos(np.pi * phase))[:, None, None]
    return (1. - weight) * start + weight * end


def _draw(rng, bounds):
    """An integer from U{bounds[0], ..., bounds[1]}."""
    return int(rng.integers(bounds[0], bounds[1] + 1))


def make_sequence(rng: np.random.Generator, build: np.ndarray):
    """Body-frame joints and labels of one untrimmed sequence.

    Args:
        rng (np.random.Generator): Random generator.
        build (np.ndarray): Bone offsets (25, 3) of the subject.

    Returns:
        tuple[np.ndarray, np.ndarray]: Joints (T, 25, 3) in the body frame
        of :func:`generate_action` and int64 labels (T, ).
    """
    rest = forward_kinematics(build, np.zeros((1, 25, 3)))[0][0]
    count = _draw(rng, ACTIONS_PER_SEQUENCE)
    actions = rng.choice(len(SYNTHETIC_CLASSES), count, replace=False)
    poses, labels, last = [], [], rest
    for index, action in enumerate(actions):
        clip = generate_action(action, _draw(rng, ACTION_FRAMES), rng, build)
        gap = _draw(rng, GAP_FRAMES if index else EDGE_FRAMES)
        poses += [ease(last, clip[0], gap), clip]
        labels += [np.zeros(gap, np.int64), np.full(len(clip), action + 1)]
        last = clip[-1]
    gap = _draw(rng, EDGE_FRAMES)
    poses.append(ease(last, rest, gap))
    labels.append(np.zeros(gap, np.int64))
    return np.concatenate(poses), np.concatenate(labels)


def _place(rng: np.random.Generator, joints: np.ndarray,
           cam: int) -> np.ndarray:
    """Body-frame joints (T, V, 3) to camera space, like the recognition
    set: yaw of the camera +- 10 degrees, about 3 m away."""
    yaw = np.deg2rad(CAMERA_YAWS[cam] + rng.uniform(-10, 10))
    origin = np.array([
        rng.uniform(-.3, .3),
        rng.uniform(-.15, .15), 3. + rng.uniform(-.25, .25)
    ])
    return joints @ axis_rotation(yaw, 'y').T + origin


def make_segmentation_annotations(num_subjects: int = 8,
                                  repeats: int = 20,
                                  seed: int = 0,
                                  noise_std: float = 0.01) -> dict:
    """Build a :class:`SkeletonSegmentationDataset` annotation dict.

    Sequences are named ``C{cam}P{subject}R{rep}`` (3 digits each); the
    camera cycles over 1..3.

    Args:
        num_subjects (int): Subjects (ids 1..num_subjects). Defaults to 8.
        repeats (int): Sequences per subject. Defaults to 20.
        seed (int): Non-negative seed; same seed gives identical output.
        noise_std (float): Gaussian joint noise, metres. Defaults to 0.01.

    Returns:
        dict: ``split`` (``train`` / ``test`` lists of frame_dir),
        ``classes`` (:data:`SEGMENTATION_CLASSES`) and ``annotations``
        (``frame_dir``, ``total_frames``, ``keypoint`` float32
        (1, T, 25, 3), ``frame_labels`` int64 (T, )).
    """
    split, annotations = dict(train=[], test=[]), []
    for subject in range(1, num_subjects + 1):
        build = make_subject_build(np.random.default_rng([seed, 1, subject]))
        for rep in range(1, repeats + 1):
            cam = (subject + rep) % 3 + 1
            rng = np.random.default_rng([seed, 5, subject, rep])
            joints, labels = make_sequence(rng, build)
            joints = _place(rng, joints, cam)
            joints += rng.normal(0., noise_std, joints.shape)
            name = f'C{cam:03d}P{subject:03d}R{rep:03d}'
            annotations.append(
                dict(
                    frame_dir=name,
                    total_frames=len(labels),
                    keypoint=joints[None].astype(np.float32),
                    frame_labels=labels))
            test = subject % TEST_EVERY == 0
            split['test' if test else 'train'].append(name)
    return dict(
        split=split,
        classes=list(SEGMENTATION_CLASSES),
        annotations=annotations)
