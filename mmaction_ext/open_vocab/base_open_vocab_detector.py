"""What every open-vocabulary detector backend provides.

A backend turns RGB frames and a list of object-class texts into scored,
labelled boxes; :meth:`BaseOpenVocabDetector.likelihood_maps` rasterises
them into per-frame, per-class likelihood maps in [0, 1] (A2O, Sekii and
Sato, Sec. 3.2: ``M_l^(i)(u, v)``, the likelihood that object ``i`` is at
``(u, v)`` in frame ``l``) with
:func:`mmaction_ext.ops.boxes_to_likelihood_maps`: each pixel holds the
highest score of the boxes of that class covering it.
"""
import hashlib
import json
import os
import os.path as osp
from typing import List, NamedTuple, Sequence, Union

import numpy as np
import torch

from ..ops import boxes_to_likelihood_maps
from ..utils.errors import BadInputError

Frames = Union[np.ndarray, Sequence[np.ndarray]]


class Detections(NamedTuple):
    """Detections of one clip.

    Attributes:
        boxes (Tensor): (N, 4) float32 boxes (x1, y1, x2, y2) in pixels of
            the frames given to the detector.
        scores (Tensor): (N, ) float32 in [0, 1].
        labels (Tensor): (N, ) long, index into the class list.
        frame_ids (Tensor): (N, ) long, index into the frames.
    """
    boxes: torch.Tensor
    scores: torch.Tensor
    labels: torch.Tensor
    frame_ids: torch.Tensor

    @classmethod
    def empty(cls) -> 'Detections':
        return cls(
            torch.zeros(0, 4), torch.zeros(0),
            torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long))

    @classmethod
    def cat(cls, parts: Sequence['Detections']) -> 'Detections':
        parts = list(parts)
        if not parts:
            return cls.empty()
        return cls(*(torch.cat(column) for column in zip(*parts)))


def check_classes(classes: Sequence[str]) -> List[str]:
    """The object classes as a list of distinct, non-empty strings.

    Raises:
        BadInputError: If the list is empty, holds a non-string or an empty
            text, or repeats a class.
    """
    if isinstance(classes, str) or not isinstance(classes, (list, tuple)):
        raise BadInputError(f'object classes must be a list of strings, '
                            f'got {type(classes).__name__}: {classes!r}')
    if not classes:
        raise BadInputError('the object-class list is empty: give at least '
                            'one class to detect')
    seen = set()
    for index, name in enumerate(classes):
        if not isinstance(name, str) or not name.strip():
            raise BadInputError(f'object class {index} is {name!r}; every '
                                'class must be a non-empty string')
        if name in seen:
            raise BadInputError(f'object class {name!r} appears twice in '
                                f'{list(classes)}')
        seen.add(name)
    return list(classes)


def as_frame_array(frames: Frames) -> np.ndarray:
    """(T, H, W, 3) uint8 RGB frames from an array or a list of frames."""
    array = np.asarray(frames) if not isinstance(frames, np.ndarray) \
        else frames
    if array.ndim != 4 or array.shape[-1] != 3 or array.shape[0] == 0:
        raise BadInputError('frames must be (T, H, W, 3) RGB with T >= 1, '
                            f'got shape {array.shape}')
    if array.dtype != np.uint8:
        raise BadInputError(f'frames must be uint8 RGB, got {array.dtype}')
    return array


def weights_fingerprint(weights_dir: str) -> str:
    """A short hash of a weights folder: its config and its file sizes.

    Cheap (weights are not read) yet different for another architecture,
    another size or another set of files.
    """
    digest = hashlib.sha256()
    for name in sorted(
            n for n in os.listdir(weights_dir) if not n.startswith('.')):
        path = osp.join(weights_dir, name)
        if not osp.isfile(path):
            continue
        digest.update(f'{name}:{osp.getsize(path)}\n'.encode())
        if name == 'config.json':
            with open(path, 'rb') as f:
                digest.update(f.read())
    return digest.hexdigest()[:16]


def check_weights_dir(weights_dir: str, backend: str) -> str:
    """``weights_dir`` if it is a folder with a ``config.json``."""
    if not isinstance(weights_dir, str) or not weights_dir:
        raise BadInputError(f'{backend}: `weights` must name a local '
                            f'weights folder, got {weights_dir!r}')
    if not osp.isdir(weights_dir):
        raise FileNotFoundError(
            f'{backend}: weights folder {weights_dir!r} does not exist (a '
            'folder written by `save_pretrained`; nothing is downloaded)')
    if not osp.isfile(osp.join(weights_dir, 'config.json')):
        raise FileNotFoundError(
            f'{backend}: {weights_dir!r} has no config.json; it is not a '
            'transformers `save_pretrained` folder')
    return weights_dir


class BaseOpenVocabDetector:
    """Common part of the backends: batching, identity and maps.

    Args:
        score_thr (float): Keep (box, class) pairs scoring at least this.
        max_per_class (int): At most this many boxes per frame and class,
            the best-scoring ones.
        batch_size (int): Frames per forward pass.
        device (str): Torch device of the model. Defaults to 'cpu'.
    """
    backend = 'base'

    def __init__(self,
                 score_thr: float = 0.1,
                 max_per_class: int = 20,
                 batch_size: int = 8,
                 device: str = 'cpu') -> None:
        if not 0 <= score_thr <= 1:
            raise BadInputError(f'score_thr must lie in [0, 1], got '
                                f'{score_thr}')
        if max_per_class < 1 or batch_size < 1:
            raise BadInputError('max_per_class and batch_size must be >= 1, '
                                f'got {max_per_class} and {batch_size}')
        self.score_thr = float(score_thr)
        self.max_per_class = int(max_per_class)
        self.batch_size = int(batch_size)
        self.device = torch.device(device)

    # -- to implement -------------------------------------------------------
    def _detect_batch(self, frames: np.ndarray, classes: List[str]):
        """(B, P, 4) xyxy pixel boxes and (B, P, C) scores of B frames."""
        raise NotImplementedError

    def _identity_fields(self) -> dict:
        raise NotImplementedError

    # -- shared -------------------------------------------------------------
    @property
    def identity(self) -> str:
        """What decides the detections: backend, weights and thresholds.

        Part of the cache key of precomputed maps, so maps of another model
        or threshold are never reused.
        """
        fields = dict(
            backend=self.backend,
            score_thr=self.score_thr,
            max_per_class=self.max_per_class,
            **self._identity_fields())
        return json.dumps(fields, sort_keys=True)

    @torch.no_grad()
    def detect(self, frames: Frames, classes: Sequence[str]) -> Detections:
        """Detect ``classes`` in every frame.

        Args:
            frames (np.ndarray | list[np.ndarray]): (T, H, W, 3) uint8 RGB.
            classes (list[str]): Object-class texts, C >= 1.

        Returns:
            Detections: Boxes in frame pixels, labels in ``[0, C)``.
        """
        classes = check_classes(classes)
        frames = as_frame_array(frames)
        parts = []
        for start in range(0, len(frames), self.batch_size):
            boxes, scores = self._detect_batch(
                frames[start:start + self.batch_size], classes)
            parts.append(
                self._select(boxes.float().cpu(),
                             scores.float().cpu(), start))
        return Detections.cat(parts)

    def _select(self, boxes, scores, first_frame) -> Detections:
        """Pairs above the threshold, best ``max_per_class`` per class."""
        num_frames, num_boxes, num_classes = scores.shape
        keep = min(self.max_per_class, num_boxes)
        top, index = scores.topk(keep, dim=1)  # (B, keep, C)
        frame = torch.arange(num_frames)[:, None, None].expand_as(index)
        label = torch.arange(num_classes)[None, None, :].expand_as(index)
        chosen = top >= self.score_thr
        frame, label, index = frame[chosen], label[chosen], index[chosen]
        return Detections(boxes[frame, index], top[chosen].clamp(0, 1), label,
                          frame + first_frame)

    def likelihood_maps(self,
                        frames: Frames,
                        classes: Sequence[str],
                        border: float = 0.0,
                        segmenter=None) -> torch.Tensor:
        """Per-frame, per-class likelihood maps of a clip.

        Args:
            frames (np.ndarray | list[np.ndarray]): (T, H, W, 3) uint8 RGB.
            classes (list[str]): Object-class texts, C >= 1.
            border (float): Soft box edge in pixels (0: hard masks); box
                maps only.
            segmenter (BaseSegmenter, optional): Draw each detection's
                mask instead of its box (see
                :func:`~mmaction_ext.open_vocab.masks_to_maps`). Defaults
                to None: box maps.

        Returns:
            Tensor: (T, C, H, W) float32 maps in [0, 1].
        """
        frames = as_frame_array(frames)
        if segmenter is not None and border:
            raise BadInputError(f'border={border} softens box edges; mask '
                                'maps (a segmenter is given) take border=0')
        found = self.detect(frames, classes)
        if segmenter is not None:
            return segmenter.likelihood_maps(frames, found, len(classes))
        return detections_to_maps(found, len(frames), len(classes),
                                  frames.shape[1:3], border)


def clip_boxes(boxes: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """(..., 4) xyxy boxes clipped to the frame."""
    x = boxes[..., 0::2].clamp(0, width)
    y = boxes[..., 1::2].clamp(0, height)
    return torch.stack([x[..., 0], y[..., 0], x[..., 1], y[..., 1]], -1)


def cxcywh_to_xyxy(boxes: torch.Tensor) -> torch.Tensor:
    cx, cy, w, h = boxes.unbind(-1)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1)


def detections_to_maps(found: Detections,
                       num_frames: int,
                       num_classes: int,
                       map_size,
                       border: float = 0.0,
                       spatial_scale: float = 1.0) -> torch.Tensor:
    """(num_frames, num_classes, H, W) maps of detections."""
    return boxes_to_likelihood_maps(
        found.boxes.float(),
        found.scores.float(),
        found.labels.long(),
        found.frame_ids.long(),
        num_frames,
        num_classes,
        tuple(int(s) for s in map_size),
        spatial_scale=spatial_scale,
        border=border)
