"""Every rotating transform builds its matrices with ``rotation_matrix``.

The references below are the matrices each module wrote out by hand
before (CTR-GCN's ``random_rot``, TRG-Net's ``_rot_3axis``, the NW-UCLA
``rand_view_transform``); outputs must stay bit-identical for one seed.
"""
import math

import numpy as np
import pytest

from mmaction_ext.datasets import synthetic_skeletons
from mmaction_ext.datasets.transforms import (SAEP, RandomAxialRotation,
                                              RandomRotation3D,
                                              RandomViewTransform)
from mmaction_ext.datasets.transforms.axis_rotation import (axis_rotation,
                                                            rotation_matrix)
from mmaction_ext.datasets.transforms.random_view_transform import \
    view_transform_matrix


def reference_zyx(angles):
    (cx, cy, cz), (sx, sy, sz) = np.cos(angles), np.sin(angles)
    rx = np.array([[1, 0, 0], [0, cx, sx], [0, -sx, cx]])
    ry = np.array([[cy, 0, -sy], [0, 1, 0], [sy, 0, cy]])
    rz = np.array([[cz, sz, 0], [-sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


def reference_axis(angle, axis):
    c, s = math.cos(angle), math.sin(angle)
    return {
        'x': np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
        'y': np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
        'z': np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]),
    }[axis]


def reference_view(angle_x, angle_y, scale):
    ax, ay = math.radians(angle_x), math.radians(angle_y)
    cx, sx, cy, sy = math.cos(ax), math.sin(ax), math.cos(ay), math.sin(ay)
    rx = np.array([[1, 0, 0], [0, cx, sx], [0, -sx, cx]])
    ry = np.array([[cy, 0, -sy], [0, 1, 0], [sy, 0, cy]])
    return ry @ rx @ (scale * np.eye(3))


def test_rotation_matrix_is_a_right_handed_rotation():
    quarter = rotation_matrix('z', 0., 1.)
    np.testing.assert_array_equal(quarter @ [1., 0., 0.], [0., 1., 0.])
    angles = np.random.default_rng(0).uniform(-4, 4, (5, 2))
    for axis in range(3):
        rot = rotation_matrix(axis, np.cos(angles), np.sin(angles))
        assert rot.shape == (5, 2, 3, 3)
        np.testing.assert_allclose(
            rot @ rot.swapaxes(-1, -2),
            np.broadcast_to(np.eye(3), rot.shape),
            atol=1e-12)
        np.testing.assert_allclose(np.linalg.det(rot), 1.)


@pytest.mark.parametrize('axis', ['x', 'y', 'z'])
def test_axis_rotation_matches_the_written_out_matrices(axis):
    for angle in np.random.default_rng(1).uniform(-4, 4, 20):
        np.testing.assert_array_equal(
            axis_rotation(angle, axis), reference_axis(angle, axis))


def test_rotation_3d_is_bit_identical_for_a_seed():
    keypoint = np.random.default_rng(2).normal(size=(2, 6, 5, 3))
    np.random.seed(3)
    out = RandomRotation3D(0.3)(dict(keypoint=keypoint.copy()))['keypoint']
    np.random.seed(3)
    angles = np.random.uniform(-0.3, 0.3, 3)
    np.testing.assert_array_equal(out, keypoint @ reference_zyx(angles).T)
    after = np.random.rand()
    np.random.seed(3)
    np.random.uniform(size=3)
    assert np.random.rand() == after  # one draw of 3 angles, no more


@pytest.mark.parametrize('axis', ['x', 'y', 'z'])
def test_axial_rotation_and_saep_are_bit_identical_for_a_seed(axis):
    inputs = np.random.default_rng(4).normal(size=(6, 7, 5))
    np.random.seed(5)
    out = RandomAxialRotation(axis)(dict(inputs=inputs.copy()))['inputs']
    np.random.seed(5)
    rotation = reference_axis(np.random.uniform(-math.pi, math.pi), axis)
    expected = np.einsum('dc,gc...->gd...', rotation,
                         inputs.reshape(2, 3, 7, 5)).reshape(inputs.shape)
    np.testing.assert_array_equal(out, expected)
    saep = SAEP(occlusion_prob=0., rotation_prob=1., rotation_axis=axis)
    np.random.seed(5)
    saep_out = saep(dict(inputs=inputs.copy()))
    np.random.seed(5)
    np.random.rand()
    rotation = reference_axis(np.random.uniform(-math.pi, math.pi), axis)
    expected = np.einsum('dc,gc...->gd...', rotation,
                         inputs.reshape(2, 3, 7, 5)).reshape(inputs.shape)
    assert saep_out['saep'] == 'rotation'
    np.testing.assert_array_equal(saep_out['inputs'], expected)


def test_view_transform_is_bit_identical_for_a_seed():
    for angles in ((-37, 52, 1.3), (0, 0, 1.), (60, -60, 0.5)):
        np.testing.assert_array_equal(
            view_transform_matrix(*angles), reference_view(*angles))
    keypoint = np.random.default_rng(6).normal(size=(1, 4, 5, 3))
    np.random.seed(7)
    transform = RandomViewTransform()
    out = transform(dict(keypoint=keypoint.copy()))['keypoint']
    np.random.seed(7)
    matrix = reference_view(*transform.draw())
    np.testing.assert_array_equal(out, keypoint @ matrix)


def reference_vectorised(angle, axis):
    c, s = np.cos(angle), np.sin(angle)
    i, j = ((1, 2), (2, 0), (0, 1))[axis]
    rot = np.zeros(angle.shape + (3, 3))
    rot[..., axis, axis] = 1.
    rot[..., i, i], rot[..., j, j] = c, c
    rot[..., i, j], rot[..., j, i] = -s, s
    return rot


def test_synthetic_skeleton_rotations_are_unchanged():
    angles = np.random.default_rng(8).uniform(-3, 3, (4, 2, 3))
    for axis in range(3):
        np.testing.assert_array_equal(
            synthetic_skeletons._axis_rotation(angles[..., axis], axis),
            reference_vectorised(angles[..., axis], axis))
