import math
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from .axis_rotation import AXES, axis_rotation


@TRANSFORMS.register_module()
class RandomAxialRotation(BaseTransform):
    """Rotate a whole sequence about one axis (SAEP rotation).

    One angle ``~ U(-max_angle, max_angle)`` per sequence; the rotation
    ``R`` is applied to every consecutive 3-channel group of the features
    (displacements and relative coordinates of each person alike), as in
    TRG-Net's ``random_rot_3axis``: axis ``'y'`` (vertical) for PKU-MMD,
    ``'z'`` for LARa and TCG-15.

    Required keys: ``inputs`` (C, T, V) with C a multiple of 3. Modified:
    ``inputs``. Added: ``rotation_angle`` (float, rad).

    Args:
        axis (str): ``'x'``, ``'y'`` or ``'z'``. Defaults to ``'y'``.
        max_angle (float): Largest absolute angle, rad. Defaults to pi.
    """

    def __init__(self, axis: str = 'y', max_angle: float = math.pi) -> None:
        if axis not in AXES:
            raise ValueError(f'axis must be one of {AXES}, got {axis!r}')
        self.axis = axis
        self.max_angle = max_angle

    def transform(self, results: Dict) -> Dict:
        inputs = np.asarray(results['inputs'])
        channels = inputs.shape[0]
        if channels % 3:
            raise ValueError(
                f'RandomAxialRotation needs 3-channel groups, sample '
                f'{results.get("frame_dir")!r} has {channels} channels')
        angle = np.random.uniform(-self.max_angle, self.max_angle)
        rotation = axis_rotation(angle, self.axis).astype(inputs.dtype)
        groups = inputs.reshape(channels // 3, 3, *inputs.shape[1:])
        rotated = np.einsum('dc,gc...->gd...', rotation, groups)
        results['inputs'] = rotated.reshape(inputs.shape)
        results['rotation_angle'] = float(angle)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(axis={self.axis!r}, '
                f'max_angle={self.max_angle})')
