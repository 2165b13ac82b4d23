from typing import Dict, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from mmaction_ext.structures import (SegmentationDataSample,
                                     labels_to_boundaries)


@TRANSFORMS.register_module()
class PackSegmentationInputs(BaseTransform):
    """Pack features and per-frame targets for a segmentation model.

    Required keys: ``inputs`` (C, T, V). Optional: ``frame_labels`` (T, ),
    ``frame_boundaries`` (T, ) (derived from the labels if missing, see
    :func:`~mmaction_ext.structures.labels_to_boundaries`) and the
    ``meta_keys``.

    Returns:
        dict: ``inputs`` float32 tensor (C, T, V) and ``data_samples``, a
        :class:`SegmentationDataSample` with ``gt_frame_labels`` (T, ),
        ``gt_boundaries`` (T, ) (when labels are given), ``frame_mask``
        (T, ) all True, and the meta keys as metainfo.

    Args:
        meta_keys (Sequence[str]): Keys copied into the metainfo. Defaults
            to ``('frame_dir', 'total_frames')``.
    """

    DEFAULT_META_KEYS = ('frame_dir', 'total_frames')

    def __init__(self, meta_keys: Sequence[str] = DEFAULT_META_KEYS) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        inputs = torch.from_numpy(
            np.ascontiguousarray(results['inputs'], np.float32))
        sample = SegmentationDataSample(metainfo={
            key: results[key]
            for key in self.meta_keys if key in results
        })
        sample.frame_mask = torch.ones(inputs.shape[1], dtype=torch.bool)
        labels = results.get('frame_labels')
        if labels is not None:
            if len(labels) != inputs.shape[1]:
                raise ValueError(
                    f'sample {results.get("frame_dir")!r}: {len(labels)} '
                    f'frame labels for {inputs.shape[1]} input frames')
            boundaries = results.get('frame_boundaries')
            if boundaries is None:
                boundaries = labels_to_boundaries(labels)
            sample.gt_frame_labels = np.asarray(labels)
            sample.gt_boundaries = np.asarray(boundaries)
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
