"""What every segmenter backend provides: a mask per detected box.

A segmenter refines the detector's boxes into masks (A2O, Sekii and Sato,
Sec. 3.2, uses Grounded SAM2: an open-vocabulary detector whose boxes
prompt SAM 2). :func:`masks_to_maps` turns the masks into likelihood maps
with the box rasteriser's semantics: the map of class ``c`` in frame ``f``
is, at every pixel, the highest score of the class-``c`` detections of
frame ``f`` whose mask covers the pixel (0 where none does). A box-shaped
mask thus gives exactly the box map, so box and mask maps are comparable.
"""
import json
from typing import Sequence, Union

import numpy as np
import torch

from ..utils.errors import BadInputError
from .base_open_vocab_detector import Detections, as_frame_array

Frames = Union[np.ndarray, Sequence[np.ndarray]]


class BaseSegmenter:
    """Common part of the segmenter backends: frame loop and identity.

    Args:
        mask_threshold (float): A pixel belongs to the mask where the
            segmenter's mask logit exceeds this. Defaults to 0.0.
        device (str): Torch device of the model. Defaults to 'cpu'.
    """
    backend = 'base'

    def __init__(self,
                 mask_threshold: float = 0.0,
                 device: str = 'cpu') -> None:
        if not isinstance(mask_threshold, (int, float)) \
                or not np.isfinite(mask_threshold):
            raise BadInputError(f'mask_threshold must be a finite number, '
                                f'got {mask_threshold!r}')
        self.mask_threshold = float(mask_threshold)
        self.device = torch.device(device)

    # -- to implement -------------------------------------------------------
    def _segment_frame(self, frame: np.ndarray,
                       boxes: torch.Tensor) -> torch.Tensor:
        """(n, H, W) bool masks of n >= 1 xyxy pixel boxes of one frame."""
        raise NotImplementedError

    def _identity_fields(self) -> dict:
        raise NotImplementedError

    # -- shared -------------------------------------------------------------
    @property
    def identity(self) -> str:
        """What decides the masks: backend, weights and threshold.

        Part of the cache key of precomputed maps, so maps of another
        segmenter are never reused.
        """
        fields = dict(
            backend=self.backend,
            mask_threshold=self.mask_threshold,
            **self._identity_fields())
        return json.dumps(fields, sort_keys=True)

    @torch.no_grad()
    def segment(self, frames: Frames, found: Detections) -> torch.Tensor:
        """The mask of every detection, at frame resolution.

        All boxes of a frame go to the segmenter in one call; a box
        detected for several classes is segmented once.

        Args:
            frames (np.ndarray | list[np.ndarray]): (T, H, W, 3) uint8 RGB.
            found (Detections): N detections of these frames (boxes in
                frame pixels).

        Returns:
            Tensor: (N, H, W) bool, row i the mask of detection i.
        """
        frames = as_frame_array(frames)
        count = len(found.boxes)
        masks = torch.zeros((count, ) + frames.shape[1:3], dtype=torch.bool)
        if count and int(found.frame_ids.max()) >= len(frames):
            raise BadInputError(
                f'detections name frame {int(found.frame_ids.max())} but '
                f'only {len(frames)} frames are given')
        for frame in found.frame_ids.unique().tolist():
            rows = torch.nonzero(found.frame_ids == frame)[:, 0]
            boxes, inverse = torch.unique(
                found.boxes[rows].float(), dim=0, return_inverse=True)
            frame_masks = self._segment_frame(frames[frame], boxes)
            masks[rows] = frame_masks.to('cpu', torch.bool)[inverse]
        return masks

    def likelihood_maps(self, frames: Frames, found: Detections,
                        num_classes: int) -> torch.Tensor:
        """(T, C, H, W) float32 maps in [0, 1] of the detections' masks."""
        frames = as_frame_array(frames)
        return masks_to_maps(
            self.segment(frames, found), found, len(frames), num_classes)


def masks_to_maps(masks: torch.Tensor, found: Detections, num_frames: int,
                  num_classes: int) -> torch.Tensor:
    """Score-weighted masks to per-frame, per-class likelihood maps.

    Args:
        masks (Tensor): (N, H, W) bool (or {0, 1}) mask of each detection.
        found (Detections): The N detections (scores, labels, frame ids).
        num_frames (int): Number of frames T.
        num_classes (int): Number of classes C.

    Returns:
        Tensor: (T, C, H, W) float32; at each pixel the maximum over the
        detections of that frame and class of ``score x mask``.
    """
    if masks.dim() != 3 or len(masks) != len(found.scores):
        raise BadInputError(
            f'masks must be (N, H, W) with N = {len(found.scores)} '
            f'detections, got shape {tuple(masks.shape)}')
    height, width = masks.shape[1:]
    maps = torch.zeros(num_frames * num_classes, height, width)
    groups = found.frame_ids.long() * num_classes + found.labels.long()
    order = torch.argsort(groups, stable=True)
    present, counts = torch.unique_consecutive(
        groups[order], return_counts=True)
    scores = found.scores.float()
    for group, rows in zip(present.tolist(),
                           torch.split(order, counts.tolist())):
        weighted = masks[rows].float() * scores[rows, None, None]
        maps[group] = weighted.amax(0)
    return maps.view(num_frames, num_classes, height, width)
