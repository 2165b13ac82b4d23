from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from .axis_rotation import rotation_matrix


def rotation_zyx(angles: np.ndarray) -> np.ndarray:
    """Rotation ``Rz @ Ry @ Rx`` for angles (x, y, z) in radians."""
    cos, sin = np.cos(angles), np.sin(angles)
    # negated sines: the transposed matrices, which rotate row vectors
    rx, ry, rz = (rotation_matrix(k, cos[k], -sin[k]) for k in range(3))
    return rz @ ry @ rx


@TRANSFORMS.register_module()
class RandomRotation3D(BaseTransform):
    """Rotate a whole 3D skeleton clip by one random rotation.

    Angles about x, y and z are drawn from U(-max_angle, max_angle) and
    combined as ``Rz @ Ry @ Rx`` (the ``random_rot`` augmentation of the
    CTR-GCN / GAP code). Zero-padded persons stay zero.

    Required keys: ``keypoint`` (M, T, V, 3). Modified: ``keypoint``.

    Args:
        max_angle (float): Largest angle per axis, radians. Defaults to 0.3.
    """

    def __init__(self, max_angle: float = 0.3) -> None:
        self.max_angle = max_angle

    def transform(self, results: Dict) -> Dict:
        keypoint = results['keypoint']
        if keypoint.shape[-1] != 3:
            raise ValueError(f'RandomRotation3D needs 3D keypoints, sample '
                             f'{results.get("frame_dir")!r} has shape '
                             f'{keypoint.shape}')
        angles = np.random.uniform(-self.max_angle, self.max_angle, 3)
        rotation = rotation_zyx(angles).astype(keypoint.dtype)
        results['keypoint'] = keypoint @ rotation.T
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(max_angle={self.max_angle})'
