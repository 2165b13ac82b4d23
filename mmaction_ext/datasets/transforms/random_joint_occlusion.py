from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomJointOcclusion(BaseTransform):
    """Zero k random joints in all channels and frames (SAEP occlusion).

    ``k ~ U{1, ..., max(1, floor(ratio * V))}`` distinct joints are drawn
    once per sequence, as in TRG-Net's official loader (``ratio=0.5``: up
    to 12 of 25 joints).

    Required keys: ``inputs`` (C, T, V). Modified: ``inputs``. Added:
    ``occluded_joints`` (k, ) int64.

    Args:
        ratio (float): Largest occluded fraction of the joints. Defaults
            to 0.5.
    """

    def __init__(self, ratio: float = 0.5) -> None:
        if not 0 < ratio <= 1:
            raise ValueError(f'ratio must be in (0, 1], got {ratio}')
        self.ratio = ratio

    def transform(self, results: Dict) -> Dict:
        inputs = np.array(results['inputs'])  # a copy
        joints = inputs.shape[-1]
        count = np.random.randint(1, max(1, int(self.ratio * joints)) + 1)
        occluded = np.random.permutation(joints)[:count]
        inputs[..., occluded] = 0
        results['inputs'] = inputs
        results['occluded_joints'] = np.sort(occluded)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(ratio={self.ratio})'
