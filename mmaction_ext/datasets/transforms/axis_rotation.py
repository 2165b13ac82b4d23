"""Rotation matrices about one coordinate axis, shared by every transform
and synthetic-data generator that rotates skeletons."""
import math
from typing import Union

import numpy as np

AXES = ('x', 'y', 'z')


def rotation_matrix(axis: Union[int, str], cos, sin) -> np.ndarray:
    """Right-handed rotation matrices from their cosine and sine.

    The angle's cosine and sine come from the caller so that each caller
    keeps its own trigonometry (``math`` for one angle, ``np`` for arrays)
    and thereby its exact numbers. ``R @ x`` rotates column vectors; the
    transpose (negated ``sin``) rotates row vectors ``x @ R``.

    Args:
        axis (int | str): 0/'x', 1/'y' or 2/'z'.
        cos (float | np.ndarray): Cosine of the angle, shape (...).
        sin (float | np.ndarray): Sine of the angle, same shape.

    Returns:
        np.ndarray: float64 (..., 3, 3).
    """
    axis = AXES.index(axis) if isinstance(axis, str) else axis
    i, j = ((1, 2), (2, 0), (0, 1))[axis]
    rotation = np.zeros(np.shape(cos) + (3, 3))
    rotation[..., axis, axis] = 1.
    rotation[..., i, i], rotation[..., j, j] = cos, cos
    rotation[..., i, j], rotation[..., j, i] = -sin, sin
    return rotation


def axis_rotation(angle: float, axis: Union[int, str]) -> np.ndarray:
    """Right-handed rotation (3, 3) by ``angle`` (rad) about one axis.

    The matrices of TRG-Net's ``_rot_3axis`` with one nonzero angle;
    points are rotated as ``R @ x``.
    """
    return rotation_matrix(axis, math.cos(angle), math.sin(angle))
