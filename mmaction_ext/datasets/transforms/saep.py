import math
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from .random_axial_rotation import RandomAxialRotation
from .random_joint_occlusion import RandomJointOcclusion


@TRANSFORMS.register_module()
class SAEP(BaseTransform):
    """TRG-Net's Spatial-Aware Enhancement Processing (training only).

    One draw ``r ~ U(0, 1)`` per sequence picks at most one augmentation,
    so occlusion and rotation never hit the same sample (the paper found
    combining them hurts): ``r < occlusion_prob`` gives
    :class:`RandomJointOcclusion`, ``r > 1 - rotation_prob`` gives
    :class:`RandomAxialRotation`, anything else leaves the sample as it is.
    The official values are 0.35 / 0.35 (30% untouched); MCFS gets no
    rotation (``rotation_axis=None``).

    Required keys: ``inputs`` (C, T, V). Modified: ``inputs``. Added:
    ``saep`` (``'occlusion'``, ``'rotation'`` or ``'none'``) and the keys of
    the applied transform.

    Args:
        occlusion_prob (float): Probability of occlusion. Defaults to 0.35.
        rotation_prob (float): Probability of rotation. Defaults to 0.35.
            ``occlusion_prob + rotation_prob`` must not exceed 1.
        occlusion_ratio (float): ``ratio`` of the occlusion. Defaults to 0.5.
        rotation_axis (str, optional): ``'x'``, ``'y'`` (PKU-MMD, vertical
            axis) or ``'z'`` (LARa, TCG-15); None never rotates (MCFS).
            Defaults to ``'y'``.
        max_angle (float): Largest rotation angle, rad. Defaults to pi.
    """

    def __init__(self,
                 occlusion_prob: float = 0.35,
                 rotation_prob: float = 0.35,
                 occlusion_ratio: float = 0.5,
                 rotation_axis: Optional[str] = 'y',
                 max_angle: float = math.pi) -> None:
        if min(occlusion_prob,
               rotation_prob) < 0 or (occlusion_prob + rotation_prob > 1):
            raise ValueError('need 0 <= occlusion_prob, rotation_prob and '
                             'occlusion_prob + rotation_prob <= 1, got '
                             f'{occlusion_prob}, {rotation_prob}')
        self.occlusion_prob = occlusion_prob
        self.rotation_prob = rotation_prob
        self.occlusion = RandomJointOcclusion(occlusion_ratio)
        self.rotation = None if rotation_axis is None else \
            RandomAxialRotation(rotation_axis, max_angle)

    def transform(self, results: Dict) -> Dict:
        draw = np.random.rand()
        results['saep'] = 'none'
        if draw < self.occlusion_prob:
            results['saep'] = 'occlusion'
            return self.occlusion(results)
        if draw > 1 - self.rotation_prob and self.rotation is not None:
            results['saep'] = 'rotation'
            return self.rotation(results)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'occlusion_prob={self.occlusion_prob}, '
                f'rotation_prob={self.rotation_prob}, '
                f'occlusion={self.occlusion}, rotation={self.rotation})')
