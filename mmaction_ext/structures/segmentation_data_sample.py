"""Per-frame targets and predictions of temporal action segmentation.

Boundary convention (that of ASRF's ``generate_boundary_array``, from which
the ``gt_boundary_arr`` files of the skeleton segmentation repositories
MS-GCN, LaSA and TRG-Net derive): a frame is a boundary (1.) if it is the
first frame of a segment, **frame 0 included**, otherwise 0.
"""
from typing import Sequence, Union

import numpy as np
import torch
from mmengine.structures import BaseDataElement

ArrayLike = Union[torch.Tensor, np.ndarray, Sequence]


def labels_to_boundaries(labels: ArrayLike) -> np.ndarray:
    """Boundary targets from per-frame labels.

    Args:
        labels (ArrayLike): Frame labels (T, ).

    Returns:
        np.ndarray: float32 (T, ), 1. at frame 0 and wherever the label
        differs from the previous frame's, else 0.
    """
    labels = np.asarray(labels)
    boundaries = np.zeros(labels.shape, np.float32)
    if labels.size:
        boundaries[0] = 1.
        boundaries[1:] = labels[1:] != labels[:-1]
    return boundaries


def boundary_pos_weight(label_sequences: Sequence[ArrayLike],
                        temporal_factor: int = 1) -> float:
    """1 / (fraction of boundary frames): the official boundary BCE weight.

    Args:
        label_sequences (Sequence[ArrayLike]): Frame labels (T, ) of every
            training sequence.
        temporal_factor (int): Frames are counted after keeping every
            ``temporal_factor``-th one, with the boundaries mapped as
            :class:`TemporalDownsample` maps them. Defaults to 1.

    Returns:
        float: Total frames / boundary frames.
    """
    frames = boundaries = 0
    for labels in label_sequences:
        starts = np.flatnonzero(labels_to_boundaries(labels))
        frames += -(-len(labels) // temporal_factor)
        boundaries += len(np.unique(starts // temporal_factor))
    if boundaries == 0:
        raise ValueError('no labelled frames to count boundaries in')
    return frames / boundaries


def _tensor_field(name: str, dtype: torch.dtype, ndim: int, doc: str):
    """A property storing a tensor of ``dtype`` and ``ndim`` dims."""
    private = '_' + name

    def getter(self):
        return getattr(self, private)

    def setter(self, value: ArrayLike):
        value = torch.as_tensor(
            np.asarray(value) if isinstance(value, Sequence) else value).to(
                dtype)
        if value.ndim != ndim:
            self._data_fields.discard(name)  # added before the setter ran
            raise ValueError(f'{name} must have {ndim} dims, got shape '
                             f'{tuple(value.shape)}')
        self.set_field(value, private, dtype=torch.Tensor)

    def deleter(self):
        delattr(self, private)

    return property(getter, setter, deleter, doc=doc)


class SegmentationDataSample(BaseDataElement):
    """Data element of one sequence for temporal action segmentation.

    Fields (T frames, C classes; setters accept tensors, arrays or lists and
    cast to the dtype given):

    - ``gt_frame_labels`` (T, ) long: class per frame; 255 is reserved
      for padded frames (the models' ignore index).
    - ``gt_boundaries`` (T, ) float: 1. at the first frame of each segment,
      frame 0 included (see :func:`labels_to_boundaries`), 0. on padding.
    - ``frame_mask`` (T, ) bool: True on real frames, False on padding.
    - ``pred_frame_scores`` (C, T) float: class scores (logits) per frame.
    - ``pred_boundary_logits`` (T, ) float: boundary logits per frame.
    - ``pred_frame_labels`` (T, ) long: predicted class per frame.

    Metainfo set by :class:`PackSegmentationInputs`: ``frame_dir`` and
    ``total_frames`` (the real, unpadded T after any downsampling).
    """

    gt_frame_labels = _tensor_field('gt_frame_labels', torch.long, 1,
                                    'Ground-truth class per frame (T, ).')
    gt_boundaries = _tensor_field('gt_boundaries', torch.float32, 1,
                                  'Ground-truth boundary targets (T, ).')
    frame_mask = _tensor_field('frame_mask', torch.bool, 1,
                               'True on real frames (T, ).')
    pred_frame_scores = _tensor_field('pred_frame_scores', torch.float32, 2,
                                      'Class scores per frame (C, T).')
    pred_boundary_logits = _tensor_field('pred_boundary_logits', torch.float32,
                                         1, 'Boundary logits per frame (T, ).')
    pred_frame_labels = _tensor_field('pred_frame_labels', torch.long, 1,
                                      'Predicted class per frame (T, ).')
