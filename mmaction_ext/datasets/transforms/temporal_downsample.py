from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from mmaction_ext.structures import labels_to_boundaries

# key -> time axis of the arrays this transform subsamples
TIME_AXES = dict(inputs=1, keypoint=1, keypoint_score=1, frame_labels=0)


@TRANSFORMS.register_module()
class TemporalDownsample(BaseTransform):
    """Keep every ``factor``-th frame (frames 0, f, 2f, ...).

    As TRG-Net's ``TempDownSamp`` (LARa: ``factor=4`` in training and
    test): features and labels are subsampled, and each boundary frame
    ``i`` of the full-rate labels becomes boundary ``i // factor``, so a
    segment shorter than ``factor`` frames keeps its boundary. Put it after
    :class:`SegmentationFeatures` to get full-rate displacements, as the
    official code does.

    Required keys: any of ``inputs`` (C, T, V), ``keypoint`` (M, T, V, C),
    ``keypoint_score`` (M, T, V), ``frame_labels`` (T, ), and optionally
    ``frame_boundaries`` (T, ) (derived from ``frame_labels`` if missing).
    Modified: those present, ``total_frames``. Added: ``frame_boundaries``
    (T', ) float32 when labels are present.

    Args:
        factor (int): Temporal stride. Defaults to 4.
    """

    def __init__(self, factor: int = 4) -> None:
        if factor < 1:
            raise ValueError(f'factor must be >= 1, got {factor}')
        self.factor = factor

    def _boundaries(self, results: Dict, frames: int) -> np.ndarray:
        """Boundaries (frames, ) at the reduced rate."""
        full = results.get('frame_boundaries')
        if full is None:
            full = labels_to_boundaries(results['frame_labels'])
        boundaries = np.zeros(frames, np.float32)
        boundaries[np.flatnonzero(np.asarray(full) == 1) // self.factor] = 1.
        return boundaries

    def transform(self, results: Dict) -> Dict:
        if 'frame_labels' in results:
            frames = -(-len(results['frame_labels']) // self.factor)
            results['frame_boundaries'] = self._boundaries(results, frames)
        for key, axis in TIME_AXES.items():
            if key in results:
                value = np.asarray(results[key])
                keep = np.arange(0, value.shape[axis], self.factor)
                results[key] = value.take(keep, axis)
                results['total_frames'] = len(keep)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(factor={self.factor})'
