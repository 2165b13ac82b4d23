from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS


@TRANSFORMS.register_module()
class MinMaxNormalize(BaseTransform):
    """Scale each coordinate axis of a clip linearly to [-1, 1].

    As in the official CTR-GCN / GAP NW-UCLA feeder: per axis c, the min
    and max over all persons, frames and joints give ``x' = 2 * (x - min) /
    (max - min) - 1``. An axis with ``max == min`` (which makes the feeder
    divide by zero) becomes -1 here. Zero-padded persons take part in the
    min and max; the NW-UCLA data has one person.

    Required keys: ``keypoint`` (M, T, V, C). Modified: ``keypoint``.
    """

    def transform(self, results: Dict) -> Dict:
        keypoint = results['keypoint']
        flat = keypoint.reshape(-1, keypoint.shape[-1]).astype(np.float64)
        low, high = flat.min(axis=0), flat.max(axis=0)
        span = np.where(high > low, high - low, 1.)
        scaled = (keypoint - low) / span * 2 - 1
        results['keypoint'] = scaled.astype(keypoint.dtype)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'
