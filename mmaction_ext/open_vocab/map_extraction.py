"""Compute and cache the likelihood maps of a list of videos."""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.logging import print_log

from ..utils.errors import BadInputError
from .base_open_vocab_detector import (BaseOpenVocabDetector, Detections,
                                       check_classes)
from .base_segmenter import BaseSegmenter
from .map_cache import (classes_hash, maps_identity, pack_masks,
                        save_video_maps, set_key, video_file, write_meta)


class UndecodableVideoError(BadInputError):
    """A video file that cannot be opened or decoded."""


def read_video_list(path: str) -> List[str]:
    """Video paths (first column) of an MMAction2 video list file."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'video list {path!r} does not exist')
    videos = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip() and not line.lstrip().startswith('#'):
                videos.append(line.split()[0])
    if not videos:
        raise BadInputError(f'video list {path} names no video')
    return list(dict.fromkeys(videos))


def open_video(path: str):
    """A decord ``VideoReader``; raises UndecodableVideoError naming it."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'video {path!r} does not exist')
    import decord
    try:
        reader = decord.VideoReader(path, num_threads=1)
        if len(reader) == 0:
            raise UndecodableVideoError(f'{path}: the video has no frames')
        return reader
    except (decord.DECORDError, RuntimeError) as error:
        raise UndecodableVideoError(
            f'{path}: cannot be decoded ({str(error).splitlines()[0]})') \
            from None


def detect_video(path: str,
                 detector: BaseOpenVocabDetector,
                 classes: Sequence[str],
                 every: int = 1,
                 segmenter: Optional[BaseSegmenter] = None) -> Dict:
    """Detections of every ``every``-th frame of a video.

    Returns:
        dict: ``detections`` (frame ids are video frame indices),
        ``detected_frames``, ``frame_size`` (H, W), ``total_frames`` and,
        with a segmenter, ``masks``: (N, ceil(H * W / 8)) uint8, the
        detections' masks packed by :func:`~.map_cache.pack_masks`.
    """
    reader = open_video(path)
    total = len(reader)
    detected = np.arange(0, total, every)
    parts, masks = [], []
    step = detector.batch_size
    for start in range(0, len(detected), step):
        indices = detected[start:start + step]
        try:
            frames = reader.get_batch(indices).asnumpy()
        except Exception as error:  # decord raises its own error types
            raise UndecodableVideoError(
                f'{path}: frames {indices[0]}-{indices[-1]} cannot be '
                f'decoded ({str(error).splitlines()[0]})') from None
        found = detector.detect(frames, classes)
        if segmenter is not None:  # packed at once: a bit a pixel
            masks.append(pack_masks(segmenter.segment(frames, found)))
        video_ids = torch.as_tensor(indices, dtype=torch.long)
        parts.append(found._replace(frame_ids=video_ids[found.frame_ids]))
    result = dict(
        detections=Detections.cat(parts),
        detected_frames=detected,
        frame_size=tuple(frames.shape[1:3]),
        total_frames=total)
    if segmenter is not None:
        result.update(masks=np.concatenate(masks))
    return result


def extract_maps(videos: Sequence[str],
                 video_root: str,
                 classes: Sequence[str],
                 detector: BaseOpenVocabDetector,
                 out_root: str,
                 every: int = 1,
                 skip_bad: bool = False,
                 progress: bool = True,
                 on_video: Optional[Callable[[str], None]] = None,
                 segmenter: Optional[BaseSegmenter] = None) -> str:
    """Cache the detections of ``videos`` for ``classes``; resumable.

    Videos whose file exists (and is for this class list) are skipped, so
    rerunning after an interruption continues where it stopped; each file
    is written atomically.

    Args:
        videos (list[str]): Paths relative to ``video_root``.
        video_root (str): Folder the paths are relative to.
        classes (list[str]): Object classes, in order.
        detector (BaseOpenVocabDetector): The detector.
        out_root (str): Root of the cache; the maps go to a sub-folder
            keyed by the class list and the detector.
        every (int): Detect every ``every``-th frame. Defaults to 1.
        skip_bad (bool): Report undecodable videos at the end instead of
            stopping at the first. Defaults to False.
        progress (bool): Show a progress bar. Defaults to True.
        on_video (callable, optional): Called with each finished video.
        segmenter (BaseSegmenter, optional): Also store each detection's
            mask, for mask maps. Defaults to None: box maps (the files
            and the folder are then those of a run without it).

    Returns:
        str: The class set's folder (``maps_dir`` of LoadLikelihoodMaps).
    """
    classes = check_classes(classes)
    if every < 1:
        raise BadInputError(f'every must be >= 1, got {every}')
    segmenter_identity = None if segmenter is None else segmenter.identity
    identity = maps_identity(detector.identity, segmenter_identity)
    set_dir = osp.join(out_root, set_key(classes, identity))
    write_meta(set_dir, classes, detector.identity, segmenter_identity)
    wanted = classes_hash(classes)
    todo = [v for v in videos if not _done(video_file(set_dir, v), wanted)]
    bad = []
    bar = _progress(len(videos), len(videos) - len(todo), progress)
    for video in todo:
        path = osp.join(video_root, video)
        try:
            found = detect_video(path, detector, classes, every, segmenter)
        except (UndecodableVideoError, FileNotFoundError) as error:
            if not skip_bad:
                raise
            bad.append(str(error))
            continue
        save_video_maps(
            video_file(set_dir, video),
            found['detections'],
            found['detected_frames'],
            found['frame_size'],
            found['total_frames'],
            classes,
            packed_masks=found.get('masks'))
        bar.update(1)
        if on_video is not None:
            on_video(video)
    bar.close()
    if bad:
        print_log(
            f'{len(bad)} video(s) could not be decoded and have no maps:\n' +
            '\n'.join(bad),
            logger='current')
    return set_dir


def _done(path: str, wanted_hash: str) -> bool:
    if not osp.isfile(path):
        return False
    try:
        with np.load(path, allow_pickle=False) as data:
            return str(data['classes_hash']) == wanted_hash
    except Exception:  # a damaged file is recomputed
        return False


def _progress(total: int, done: int, enabled: bool):
    from tqdm import tqdm
    return tqdm(
        total=total,
        initial=done,
        unit='video',
        desc='likelihood maps',
        disable=not enabled)
