"""Batching of variable-length sequences for temporal action segmentation.

``collate_fn=dict(type='segmentation_collate')`` in a dataloader config
works because MMEngine's ``Runner.build_dataloader`` looks the name up in
MMEngine's root ``FUNCTIONS`` registry (``FUNCTIONS.get``, no default scope
involved), where this module registers it. MMAction2's own ``FUNCTION``
registry is no alternative: its lazy-import location ``mmaction.mmengine``
does not exist in mmaction2 1.2.0, so every lookup through it fails.
"""
from typing import Dict, List, Sequence

import torch
import torch.nn.functional as F
from mmengine.registry import FUNCTIONS

PADDING_LABEL = 255


def _pad_time(tensor: torch.Tensor, length: int, value: float,
              dim: int) -> torch.Tensor:
    """Pad ``tensor`` with ``value`` at the end of ``dim`` to ``length``."""
    pad = [0, 0] * (tensor.ndim - 1 - dim % tensor.ndim)
    return F.pad(tensor, pad + [0, length - tensor.shape[dim]], value=value)


def _pad_sample(sample, frames: int, length: int):
    """A copy of a data sample with its per-frame fields padded."""
    sample = sample.clone()
    if 'frame_mask' in sample:
        frames = int(sample.frame_mask.sum())
    sample.frame_mask = torch.arange(length) < frames
    if 'gt_frame_labels' in sample:
        sample.gt_frame_labels = _pad_time(sample.gt_frame_labels, length,
                                           PADDING_LABEL, 0)
    if 'gt_boundaries' in sample:
        sample.gt_boundaries = _pad_time(sample.gt_boundaries, length, 0., 0)
    return sample


@FUNCTIONS.register_module()
def segmentation_collate(data_batch: Sequence[Dict]) -> Dict:
    """Pad a batch of sequences to its longest one (as TRG-Net's collate).

    Each item is the output of :class:`PackSegmentationInputs`:
    ``dict(inputs=(C, T_i, V) tensor, data_samples=SegmentationDataSample)``.

    Returns:
        dict: ``inputs`` float tensor (N, C, T_max, V) zero-padded, and
        ``data_samples``, a list of copies of the data samples whose
        ``gt_frame_labels`` (T_max, ) are padded with 255 (the ignore
        index), ``gt_boundaries`` (T_max, ) with 0 and ``frame_mask``
        (T_max, ) is True on real frames. The metainfo (``total_frames`` =
        real T_i) is unchanged. :func:`stack_segmentation_targets` stacks
        them into batch tensors for a loss.
    """
    length = max(item['inputs'].shape[1] for item in data_batch)
    inputs = torch.stack([
        _pad_time(item['inputs'].float(), length, 0., 1) for item in data_batch
    ])
    samples = [
        _pad_sample(item['data_samples'], item['inputs'].shape[1], length)
        for item in data_batch
    ]
    return dict(inputs=inputs, data_samples=samples)


def stack_segmentation_targets(data_samples: List) -> Dict[str, torch.Tensor]:
    """Batch targets of collated data samples, in TRG-Net's layout.

    Args:
        data_samples (list[SegmentationDataSample]): Samples from
            :func:`segmentation_collate` (equal lengths T).

    Returns:
        dict: ``labels`` (N, T) long (255 on padding), ``boundaries``
        (N, 1, T) float and ``mask`` (N, 1, T) bool.
    """
    return dict(
        labels=torch.stack([s.gt_frame_labels for s in data_samples]),
        boundaries=torch.stack([s.gt_boundaries
                                for s in data_samples]).unsqueeze(1),
        mask=torch.stack([s.frame_mask for s in data_samples]).unsqueeze(1))
