"""Append object likelihood maps to decoded frames as extra channels."""
import functools
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch.nn.functional as F
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ...open_vocab import (build_open_vocab_detector, build_segmenter,
                           check_classes, check_set_classes,
                           detections_to_maps, load_video_maps, masks_to_maps,
                           video_file)
from ...open_vocab.map_cache import clip_detections, clip_masks, find_set_dir
from ...utils.errors import BadInputError


@functools.lru_cache()
def opencv_channel_limit() -> int:
    """Most channels ``cv2.resize`` (behind mmcv's resizes) takes here.

    OpenCV 4 takes 512; the Python binding of OpenCV 5 stops at 128.
    """
    import cv2
    for channels in (512, 128):
        try:
            cv2.resize(np.zeros((2, 2, channels), np.float32), (1, 1))
            return channels
        except cv2.error:
            continue
    return 4


@TRANSFORMS.register_module()
class LoadLikelihoodMaps(BaseTransform):
    """Append K per-class likelihood maps to every frame (A2O).

    Place it after the decoding (``DecordDecode``) and before
    ``Resize``/``RandomResizedCrop``/``Flip``/``CenterCrop``, so the maps
    are transformed with the frames. Each frame becomes a float32
    (H, W, 3 + K) array: channels 0-2 the RGB values (0-255), channel
    ``3 + k`` the map of class ``k`` times 255. After
    ``FormatShape('NCTHW')`` and ``PackActionInputs`` the input is
    (num_clips, 3 + K, T, H, W). Photometric transforms that expect 3
    channels (``ColorJitter``, ...) do not fit after it. OpenCV bounds
    3 + K: 512 channels in OpenCV 4, 128 in OpenCV 5's Python binding.

    The maps come from a cache written by
    ``tools/a2o/extract_likelihood_maps.py`` (``maps_dir``: the class set's
    folder) or, on the fly, from a detector run on the decoded frames
    (``detector``, optionally with a ``segmenter``). Box maps hold at each
    pixel the highest score of the class's boxes covering it; mask maps
    (cached with a segmenter, or ``segmenter`` given) the highest score of
    the class's detections whose mask covers it.

    Required keys: ``imgs`` (list of (H, W, 3) uint8 RGB), ``filename``
    and, with ``maps_dir``, ``frame_inds``.
    Modified keys: ``imgs``. Added keys: ``num_maps``.

    Args:
        classes (Sequence[str]): The object classes, in order; maps cached
            for another list are refused.
        maps_dir (str, optional): Folder of the class set's cached maps,
            or the root they were written under (the folder keyed by
            ``classes`` is found there).
        video_root (str, optional): The dataset's video folder; a video's
            maps file is its path relative to this folder (``.npz``
            appended). Defaults to None: the file name alone.
        detector (dict, optional): Detector config for on-the-fly maps,
            e.g. ``dict(type='OWLv2Detector', weights='path/to/owlv2')``.
            Exactly one of ``maps_dir`` and ``detector`` is given.
        border (float): Soft box edge in pixels (0: hard masks); box maps
            only. Defaults to 0.
        segmenter (dict, optional): Segmenter config for on-the-fly mask
            maps (with ``detector``), e.g.
            ``dict(type='SAMSegmenter', weights='path/to/sam')``. Cached
            maps are masks when they were extracted with a segmenter.
            Defaults to None.
    """

    def __init__(self,
                 classes: Sequence[str],
                 maps_dir: Optional[str] = None,
                 video_root: Optional[str] = None,
                 detector: Optional[Dict] = None,
                 border: float = 0.0,
                 segmenter: Optional[Dict] = None) -> None:
        self.classes = check_classes(list(classes))
        limit = opencv_channel_limit()
        if 3 + len(self.classes) > limit:
            raise BadInputError(
                f'{len(self.classes)} object classes give '
                f'{3 + len(self.classes)} channels; the image transforms '
                f'(this OpenCV) handle at most {limit}')
        if (maps_dir is None) == (detector is None):
            raise BadInputError('LoadLikelihoodMaps: give exactly one of '
                                '`maps_dir` (cached maps) and `detector` '
                                '(on-the-fly maps)')
        if segmenter is not None and detector is None:
            raise BadInputError(
                'LoadLikelihoodMaps: `segmenter` goes with `detector` '
                '(on-the-fly maps); cached maps are masks when they were '
                'extracted with a segmenter')
        if segmenter is not None and border:
            raise BadInputError(f'LoadLikelihoodMaps: border={border} '
                                'softens box edges; mask maps take 0')
        self._masks_cached = False
        if maps_dir is not None:
            maps_dir = find_set_dir(maps_dir, self.classes)
            meta = check_set_classes(maps_dir, self.classes)
            self._masks_cached = 'segmenter' in meta
            if self._masks_cached and border:
                raise BadInputError(
                    f'LoadLikelihoodMaps: the maps in {maps_dir} are masks '
                    f'(extracted with a segmenter); border={border} applies '
                    'to box maps only')
        self.maps_dir = maps_dir
        self.video_root = video_root
        self.detector_cfg = detector
        self.segmenter_cfg = segmenter
        self._detector = None  # built lazily, in the worker process
        self._segmenter = None
        self.border = float(border)

    def _video_key(self, filename: str) -> str:
        if self.video_root is None:
            return osp.basename(filename)
        return osp.relpath(filename, self.video_root)

    def _cached_maps(self, results: Dict, size) -> np.ndarray:
        path = video_file(self.maps_dir, self._video_key(results['filename']))
        record = load_video_maps(path, self.classes)
        frame_inds = np.asarray(results['frame_inds']).reshape(-1)
        total = int(record['total_frames'])
        if frame_inds.max() >= total:
            raise BadInputError(
                f'{path} holds maps of {total} frames but frame '
                f'{int(frame_inds.max())} of {results["filename"]} is '
                'asked for; the maps belong to another version of the video')
        found = clip_detections(record, frame_inds)
        cached_h, cached_w = (float(v) for v in record['frame_size'])
        scale = size[0] / cached_h
        if abs(size[1] / cached_w - scale) > 0.02 * scale:
            raise BadInputError(
                f'{path} holds boxes of {int(cached_w)}x{int(cached_h)} '
                f'frames, but {results["filename"]} decodes to '
                f'{size[1]}x{size[0]} (another aspect ratio)')
        if 'masks' in record:
            return self._mask_maps(record, found, frame_inds, size)
        if self._masks_cached:
            raise BadInputError(f'{path} holds no masks, but its folder '
                                'was extracted with a segmenter')
        return detections_to_maps(found, len(frame_inds), len(self.classes),
                                  size, self.border, scale).numpy()

    def _mask_maps(self, record: Dict, found, frame_inds, size) -> np.ndarray:
        """Mask maps at the cached frame size, then (nearest) at ``size``."""
        maps = masks_to_maps(
            clip_masks(record, frame_inds), found, len(frame_inds),
            len(self.classes))
        if tuple(maps.shape[2:]) != tuple(size):
            maps = F.interpolate(maps, size=tuple(size), mode='nearest')
        return maps.numpy()

    def _live_maps(self, imgs: List[np.ndarray]) -> np.ndarray:
        if self._detector is None:
            self._detector = build_open_vocab_detector(self.detector_cfg)
            self._segmenter = build_segmenter(self.segmenter_cfg)
        return self._detector.likelihood_maps(
            np.stack(imgs),
            self.classes,
            border=self.border,
            segmenter=self._segmenter).numpy()

    def transform(self, results: Dict) -> Dict:
        imgs = list(results['imgs'])
        size = imgs[0].shape[:2]
        if any(img.shape[:2] != size or img.shape[2] != 3 for img in imgs):
            raise BadInputError(
                f'{results.get("filename")}: LoadLikelihoodMaps needs '
                'equally sized (H, W, 3) frames; place it right after the '
                'decoding')
        if self.maps_dir is not None:
            maps = self._cached_maps(results, size)
        else:
            maps = self._live_maps(imgs)
        results['imgs'] = [
            np.concatenate([
                img.astype(np.float32),
                frame_maps.transpose(1, 2, 0) * 255.0
            ], -1) for img, frame_maps in zip(imgs, maps)
        ]
        results['num_maps'] = len(self.classes)
        return results

    def __repr__(self) -> str:
        source = f'maps_dir={self.maps_dir!r}' if self.maps_dir else \
            f'detector={self.detector_cfg!r}'
        if self.segmenter_cfg is not None:
            source += f', segmenter={self.segmenter_cfg!r}'
        return (f'{self.__class__.__name__}(classes={self.classes}, '
                f'{source}, border={self.border})')
