"""Precomputed likelihood maps on disk, keyed by class list and models.

A class set's maps live in ``<root>/<set key>/``: ``meta.json`` names the
ordered class list and the detector (and the segmenter, when one made
masks), and ``<video>.npz`` (the video's path relative to the data root,
plus ``.npz``) holds its detections; the maps are drawn from them at load
time at the decoded frame size (box masks are exact at any size, and a
file is a few KB instead of T x C x H x W floats). With a segmenter the
file also holds each detection's mask at the frame size, one bit a pixel
(``masks``: ``np.packbits`` of the flattened (H, W) mask per row). The set
key hashes the ordered class list and the identities of the detector and
the segmenter, so a changed list, order, model or threshold never reuses
stale maps, and every file repeats the class-list hash so a file copied
into the wrong folder is refused too.
"""
import hashlib
import io
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from ..fileio.atomic_write import write_atomically
from ..utils.errors import BadInputError, CorruptFileError
from .base_open_vocab_detector import Detections

FORMAT = 'mmaction_ext-likelihood-maps'
VERSION = 1
META_FILE = 'meta.json'


def classes_hash(classes: Sequence[str]) -> str:
    """16 hex digits identifying the ordered class list."""
    text = json.dumps(list(classes), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def maps_identity(detector_identity: str,
                  segmenter_identity: Optional[str] = None) -> str:
    """What decides a set's maps: the detector, and the segmenter if any.

    Without a segmenter it is the detector's identity itself, so box maps
    keep their keys.
    """
    if segmenter_identity is None:
        return detector_identity
    return json.dumps(
        dict(detector=detector_identity, segmenter=segmenter_identity),
        sort_keys=True)


def set_key(classes: Sequence[str], identity: str) -> str:
    """Folder name of a class set's maps: ``<classes hash>-<models>``.

    ``identity`` is :func:`maps_identity` (a detector's identity alone for
    box maps).
    """
    models = hashlib.sha256(identity.encode()).hexdigest()[:8]
    return f'{classes_hash(classes)}-{models}'


def write_meta(set_dir: str,
               classes: Sequence[str],
               detector_identity: str,
               segmenter_identity: Optional[str] = None) -> None:
    meta = dict(
        format=FORMAT,
        version=VERSION,
        classes=list(classes),
        classes_hash=classes_hash(classes),
        detector=detector_identity)
    if segmenter_identity is not None:
        meta.update(segmenter=segmenter_identity)
    path = osp.join(set_dir, META_FILE)
    if osp.isfile(path):
        if read_meta(set_dir) == meta:
            return
        raise BadInputError(f'{path} describes other maps than the ones '
                            'being written; use another output folder')
    data = json.dumps(meta, indent=2, ensure_ascii=False).encode()
    write_atomically(path, lambda f: f.write(data))


def read_meta(set_dir: str) -> Dict:
    path = osp.join(set_dir, META_FILE)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} does not exist: {set_dir!r} is not a folder of '
            'likelihood maps written by tools/a2o/extract_likelihood_maps.py')
    try:
        with open(path, encoding='utf-8') as f:
            meta = json.load(f)
    except ValueError as error:
        raise CorruptFileError(f'{path} is not JSON: {error}') from error
    if not isinstance(meta, dict) or meta.get('format') != FORMAT:
        raise CorruptFileError(f'{path} is not a likelihood-map index')
    return meta


def check_set_classes(set_dir: str, classes: Sequence[str]) -> Dict:
    """The set's meta; raises if its maps were made for other classes."""
    meta = read_meta(set_dir)
    if meta['classes'] != list(classes):
        raise BadInputError(
            f'the likelihood maps in {set_dir} were computed for the '
            f'object classes {meta["classes"]}, but {list(classes)} are '
            'asked for; compute maps for this list with '
            'tools/a2o/extract_likelihood_maps.py (its output folder is '
            'keyed by the list)')
    return meta


def find_set_dir(maps_dir: str, classes: Sequence[str]) -> str:
    """The folder of ``classes``' maps: ``maps_dir`` itself or one below it.

    ``maps_dir`` is either a class set's folder (it holds ``meta.json``) or
    the root given to ``tools/a2o/extract_likelihood_maps.py --out-root``,
    whose sub-folders are keyed by class list and detector; configs can
    then name the root and stay valid when the class list changes.
    """
    if osp.isfile(osp.join(maps_dir, META_FILE)):
        return maps_dir
    if not osp.isdir(maps_dir):
        raise FileNotFoundError(
            f'likelihood-map folder {maps_dir!r} does not exist; compute the '
            'maps with tools/a2o/extract_likelihood_maps.py')
    wanted = classes_hash(classes)
    matches = sorted(
        osp.join(maps_dir, name) for name in os.listdir(maps_dir)
        if name.startswith(wanted + '-')
        and osp.isfile(osp.join(maps_dir, name, META_FILE)))
    if not matches:
        raise FileNotFoundError(
            f'no likelihood maps for the object classes {list(classes)} in '
            f'{maps_dir}; compute them with '
            'tools/a2o/extract_likelihood_maps.py')
    if len(matches) > 1:
        raise BadInputError(
            f'{maps_dir} holds maps of these object classes from several '
            f'detectors or segmenters ({", ".join(matches)}); name one of '
            'the folders')
    return matches[0]


def video_file(set_dir: str, video: str) -> str:
    """The maps file of ``video`` (a path relative to the data root)."""
    if osp.isabs(video) or '..' in video.replace('\\', '/').split('/'):
        raise BadInputError(f'video {video!r} must be a path inside the '
                            'data root')
    return osp.join(set_dir, video + '.npz')


def pack_masks(masks) -> np.ndarray:
    """(N, H, W) bool masks -> (N, ceil(H * W / 8)) uint8, a bit a pixel."""
    masks = np.asarray(masks, dtype=bool)
    return np.packbits(masks.reshape(len(masks), -1), axis=1)


def unpack_masks(packed: np.ndarray, size) -> torch.Tensor:
    """The inverse of :func:`pack_masks`: (N, H, W) bool."""
    height, width = (int(s) for s in size)
    bits = np.unpackbits(packed, axis=1, count=height * width)
    # unpackbits gives 0/1 bytes: viewed as bool without a copy
    return torch.from_numpy(
        bits.reshape(len(packed), height, width).view(bool))


def save_video_maps(path: str,
                    found: Detections,
                    detected_frames,
                    frame_size,
                    total_frames: int,
                    classes: Sequence[str],
                    packed_masks: Optional[np.ndarray] = None) -> None:
    """Write one video's detections atomically.

    Args:
        found (Detections): ``frame_ids`` are frame indices of the video.
        detected_frames (array): (M, ) the frames the detector saw.
        frame_size (tuple[int, int]): (H, W) the boxes refer to.
        packed_masks (np.ndarray, optional): (N, ceil(H * W / 8)) uint8,
            the detections' masks (:func:`pack_masks`). Defaults to None:
            box maps only.
    """
    fields = dict(
        boxes=found.boxes.numpy().astype(np.float32),
        scores=found.scores.numpy().astype(np.float32),
        labels=found.labels.numpy().astype(np.int32),
        frame_ids=found.frame_ids.numpy().astype(np.int64),
        detected_frames=np.asarray(detected_frames, dtype=np.int64),
        frame_size=np.asarray(frame_size, dtype=np.int64),
        total_frames=np.asarray(total_frames, dtype=np.int64),
        classes_hash=np.asarray(classes_hash(classes)))
    if packed_masks is not None:
        fields.update(masks=np.asarray(packed_masks, dtype=np.uint8))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **fields)
    write_atomically(path, lambda f: f.write(buffer.getvalue()))


def load_video_maps(path: str, classes: Sequence[str]) -> Dict:
    """One video's detections; checks they are for ``classes``."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'no likelihood maps {path}: run '
            'tools/a2o/extract_likelihood_maps.py for this video and class '
            'list first (or compute maps on the fly with `detector=`)')
    try:
        with np.load(path, allow_pickle=False) as data:
            record = {key: data[key] for key in data.files}
    except (OSError, ValueError) as error:
        raise CorruptFileError(f'{path} is not a maps file: {error}') \
            from error
    if str(record.get('classes_hash')) != classes_hash(classes):
        raise BadInputError(
            f'{path} holds maps of another object-class list than '
            f'{list(classes)}; recompute them for this list')
    if 'masks' in record:
        height, width = (int(s) for s in record['frame_size'])
        expected = (len(record['boxes']), -(-height * width // 8))
        if record['masks'].shape != expected:
            raise CorruptFileError(
                f'{path}: masks of shape {record["masks"].shape}, expected '
                f'{expected} (a packed {height}x{width} mask per detection)')
    return record


def nearest_detected(detected_frames: np.ndarray,
                     frame_inds: np.ndarray) -> np.ndarray:
    """For each frame index, the nearest frame the detector saw."""
    order = np.searchsorted(detected_frames, frame_inds)
    right = np.clip(order, 0, len(detected_frames) - 1)
    left = np.clip(order - 1, 0, len(detected_frames) - 1)
    use_left = np.abs(frame_inds -
                      detected_frames[left]) <= np.abs(detected_frames[right] -
                                                       frame_inds)
    return np.where(use_left, detected_frames[left], detected_frames[right])


def _clip_rows(record: Dict, frame_inds: np.ndarray) -> List[np.ndarray]:
    """For each sampled frame, the rows of its (nearest seen) detections."""
    source = nearest_detected(record['detected_frames'],
                              np.asarray(frame_inds, dtype=np.int64))
    return [np.flatnonzero(record['frame_ids'] == frame) for frame in source]


def clip_detections(record: Dict, frame_inds: np.ndarray) -> Detections:
    """The detections of the sampled frames, renumbered 0..len-1.

    A frame the detector skipped (``--every``) takes the detections of the
    nearest frame it saw.
    """
    parts: List[Detections] = []
    for position, pick in enumerate(_clip_rows(record, frame_inds)):
        parts.append(
            Detections(
                torch.from_numpy(record['boxes'][pick]),
                torch.from_numpy(record['scores'][pick]),
                torch.from_numpy(record['labels'][pick]).long(),
                torch.full((len(pick), ), position, dtype=torch.long)))
    return Detections.cat(parts)


def clip_masks(record: Dict, frame_inds: np.ndarray) -> torch.Tensor:
    """(N, H, W) bool masks of :func:`clip_detections`' rows, in order."""
    rows = np.concatenate(_clip_rows(record, frame_inds))
    return unpack_masks(record['masks'][rows], record['frame_size'])
