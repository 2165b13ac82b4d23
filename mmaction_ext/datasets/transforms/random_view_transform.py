import math
from typing import Dict, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from .axis_rotation import rotation_matrix


def view_transform_matrix(angle_x: float, angle_y: float,
                          scale: float) -> np.ndarray:
    """The 3x3 matrix of the NW-UCLA view augmentation.

    Row vectors p are mapped to ``p @ (Ry @ Rx @ S)`` as in the official
    ``rand_view_transform`` with ``Rx = [[1, 0, 0], [0, cx, sx], [0, -sx,
    cx]]``, ``Ry = [[cy, 0, -sy], [0, 1, 0], [sy, 0, cy]]`` and ``S = scale
    * I``.

    Args:
        angle_x (float): Angle about x, degrees.
        angle_y (float): Angle about y, degrees.
        scale (float): Isotropic scale.

    Returns:
        np.ndarray: float64 (3, 3).
    """
    ax, ay = math.radians(angle_x), math.radians(angle_y)
    cx, sx, cy, sy = math.cos(ax), math.sin(ax), math.cos(ay), math.sin(ay)
    rx, ry = rotation_matrix('x', cx, -sx), rotation_matrix('y', cy, -sy)
    return ry @ rx @ (scale * np.eye(3))


@TRANSFORMS.register_module()
class RandomViewTransform(BaseTransform):
    """Random rotation about x and y and random scaling of a 3D clip.

    The training augmentation of the official CTR-GCN / GAP NW-UCLA feeder:
    integer angles ``agx, agy ~ U{-max_angle, ..., max_angle}`` degrees and
    ``s ~ U(scale_range)``, one draw per clip, applied to every joint as
    ``p @ (Ry @ Rx @ S)`` (see :func:`view_transform_matrix`). Use it in
    the training pipeline only (the feeder's test branch uses the identity).
    Draws come from ``np.random`` (seeded by MMEngine), not from Python's
    ``random`` as in the feeder, so streams differ but distributions match.

    Required keys: ``keypoint`` (M, T, V, 3). Modified: ``keypoint``.

    Args:
        max_angle (int): Largest angle in degrees. Defaults to 60.
        scale_range (Sequence[float]): Range of the scale. Defaults to
            (0.5, 1.5).
    """

    def __init__(self,
                 max_angle: int = 60,
                 scale_range: Sequence[float] = (0.5, 1.5)) -> None:
        self.max_angle = int(max_angle)
        self.scale_range = tuple(scale_range)

    def draw(self) -> Tuple[int, int, float]:
        """Random parameters ``(angle_x, angle_y, scale)`` of one clip."""
        angle_x, angle_y = np.random.randint(
            -self.max_angle, self.max_angle + 1, size=2)
        scale = np.random.uniform(*self.scale_range)
        return int(angle_x), int(angle_y), float(scale)

    def transform(self, results: Dict) -> Dict:
        keypoint = results['keypoint']
        if keypoint.shape[-1] != 3:
            raise ValueError(f'RandomViewTransform needs 3D keypoints, sample '
                             f'{results.get("frame_dir")!r} has shape '
                             f'{keypoint.shape}')
        matrix = view_transform_matrix(*self.draw())
        results['keypoint'] = (keypoint @ matrix).astype(keypoint.dtype)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_angle={self.max_angle}, '
                f'scale_range={self.scale_range})')
