"""Per-video node feature files of the scene-graph datasets.

One pkl per video, ``<feature_dir>/<video_id>.pkl``::

    dict(video_id=str,
         frame_inds=int64 (K, ),         # the annotation's keyframes
         slot_classes=int64 (S, ),       # the annotation's slots
         node_feats=float16|float32 (K, S, D))  # 0 where a slot is absent

written atomically by ``tools/proda/extract_node_features.py`` and the
synthetic generator, read with the plain-data unpickler. ``frame_inds`` and
``slot_classes`` are stored to detect a file made for other annotations.
"""
import os.path as osp
import pickle
import zlib

import numpy as np

from ..fileio import safe_load
from ..fileio.atomic_write import write_atomically
from ..utils.errors import BadInputError


def feature_file(feature_dir: str, video_id: str) -> str:
    """Path of a video's node feature file."""
    return osp.join(feature_dir, f'{video_id}.pkl')


def write_node_features(path: str, video_id: str, frame_inds: np.ndarray,
                        slot_classes: np.ndarray,
                        node_feats: np.ndarray) -> None:
    """Write one video's features atomically (same input, same bytes)."""
    data = dict(
        video_id=video_id,
        frame_inds=np.asarray(frame_inds, np.int64),
        slot_classes=np.asarray(slot_classes, np.int64),
        node_feats=np.ascontiguousarray(node_feats))
    payload = pickle.dumps(data, protocol=4)
    write_atomically(path, lambda f: f.write(payload))


def is_complete(path: str, entry: dict) -> bool:
    """Whether ``path`` holds the features of ``entry`` (for resuming)."""
    if not osp.isfile(path):
        return False
    try:
        read_node_features(path, entry)
    except (BadInputError, OSError):
        return False
    return True


def read_node_features(path: str, entry: dict) -> np.ndarray:
    """A video's node features, checked against its annotation.

    Args:
        path (str): The video's feature file.
        entry (dict): The video's annotation (``video_id``, ``frame_inds``
            (K, ), ``slot_classes`` (S, )).

    Returns:
        np.ndarray: float32 (K, S, D).

    Raises:
        FileNotFoundError: If the file does not exist.
        BadInputError: If it belongs to other annotations (stale cache).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'node features of video {entry["video_id"]!r} not found at '
            f'{path}; run tools/proda/extract_node_features.py first')
    data = safe_load(path)
    feats = np.asarray(data.get('node_feats')) if isinstance(data,
                                                             dict) else None
    ok = feats is not None and feats.ndim == 3 and np.array_equal(
        data.get('frame_inds'), entry['frame_inds']) and np.array_equal(
            data.get('slot_classes'),
            entry['slot_classes']) and (feats.shape[:2] == (len(
                entry['frame_inds']), len(entry['slot_classes'])))
    if not ok:
        raise BadInputError(
            f'{path}: not the node features of video {entry["video_id"]!r} '
            'as annotated (keyframes, slots or shape differ); re-run '
            'tools/proda/extract_node_features.py for this annotation file')
    return feats.astype(np.float32)


def random_node_features(entry: dict,
                         num_object_classes: int,
                         dim: int,
                         seed: int = 0,
                         noise: float = 0.5) -> np.ndarray:
    """Random but fixed features: a vector per object class plus noise.

    The class vectors depend on ``seed`` only; the noise on ``seed``, the
    video id and the keyframe, so a video gives the same features in every
    epoch and worker.

    Returns:
        np.ndarray: float32 (K, S, D), 0 where ``box_mask`` is False.
    """
    classes = np.random.default_rng([seed, 0]).standard_normal(
        (num_object_classes, dim))
    video_key = zlib.crc32(str(entry['video_id']).encode('utf-8'))
    rng = np.random.default_rng([seed, 1, video_key])
    num_keyframes, num_slots = entry['box_mask'].shape
    feats = classes[entry['slot_classes']][None] + noise * (
        rng.standard_normal((num_keyframes, num_slots, dim)))
    return (feats * entry['box_mask'][..., None]).astype(np.float32)
