"""Video-level relation lists: consolidated GT and prediction JSON.

Formats of github.com/xdshang/VidVRD-helper (``evaluation/README.md`` and
``python -m dataset.vidvrd test relation out.json``):

* consolidated GT: ``{video_id: [{triplet, duration, sub_traj, obj_traj,
  ...}]}``;
* predictions: ``{"version": "VERSION 1.0", "results": {video_id:
  [{triplet, score, duration, sub_traj, obj_traj}]}, "external_data":
  {...}}``.

``triplet`` is [subject, predicate, object], ``duration`` [begin, end) with
end exclusive, each trajectory one inclusive pixel box [x1, y1, x2, y2] per
frame of the duration. Parsing returns ``{video_id: [dict]}`` with tuples
for triplet / duration and (end - begin, 4) float64 arrays for the
trajectories, so that evaluation never sees an unchecked instance.
"""
import math
from itertools import chain
from typing import Dict, List, Optional

import numpy as np

from .vidvrd_annotation import VidVRDFormatError, check_box, read_json
from .vidvrd_classes import RelationVocabulary

# exact types (bool is an int subclass, and check_box rejects it)
PLAIN_NUMBERS = frozenset((int, float))


def check_relation(inst,
                   where: str,
                   with_score: bool,
                   vocabulary: Optional[RelationVocabulary] = None) -> dict:
    """One checked relation instance (see the module docstring)."""
    keys = ('triplet', 'duration', 'sub_traj', 'obj_traj')
    keys += ('score', ) if with_score else ()
    if not isinstance(inst, dict):
        raise VidVRDFormatError(f'{where} must be an object, got '
                                f'{type(inst).__name__}')
    missing = [k for k in keys if k not in inst]
    if missing:
        raise VidVRDFormatError(f'{where} lacks {missing}')
    triplet = inst['triplet']
    if not isinstance(triplet, (list, tuple)) or len(triplet) != 3 or \
            not all(isinstance(name, str) for name in triplet):
        raise VidVRDFormatError(f'{where}.triplet must be [subject, '
                                f'predicate, object] names, got {triplet!r}')
    if vocabulary is not None:
        _check_names(triplet, where, vocabulary)
    duration = inst['duration']
    if not isinstance(duration, (list, tuple)) or len(duration) != 2 or \
            not all(isinstance(v, int) and not isinstance(v, bool)
                    for v in duration) or not 0 <= duration[0] < duration[1]:
        raise VidVRDFormatError(f'{where}.duration must be [begin, end) '
                                f'frames with 0 <= begin < end, got '
                                f'{duration!r}')
    out = dict(triplet=tuple(triplet), duration=tuple(duration))
    for role in ('sub_traj', 'obj_traj'):
        out[role] = _check_trajectory(inst[role], f'{where}.{role}',
                                      duration[1] - duration[0])
    if with_score:
        score = inst['score']
        if not isinstance(score, (int, float)) or isinstance(score, bool) \
                or not math.isfinite(score):
            raise VidVRDFormatError(f'{where}.score must be a finite '
                                    f'number, got {score!r}')
        out['score'] = float(score)
    return out


def _check_names(triplet, where, vocabulary):
    kinds = (('subject', vocabulary.object_split),
             ('predicate',
              vocabulary.predicate_split), ('object', vocabulary.object_split))
    for name, (kind, known) in zip(triplet, kinds):
        if name not in known:
            raise VidVRDFormatError(f'{where}.triplet {kind} {name!r} is not '
                                    f'a {vocabulary.name} class')


def _check_trajectory(traj, where: str, length: int) -> np.ndarray:
    if not isinstance(traj, (list, tuple)):
        raise VidVRDFormatError(f'{where} must be a list of boxes')
    if len(traj) != length:
        raise VidVRDFormatError(f'{where} has {len(traj)} boxes but the '
                                f'duration spans {length} frames')
    boxes = _plain_boxes(traj, length)
    if boxes is not None:
        return boxes
    return np.array(
        [check_box(box, f'{where}[{k}]') for k, box in enumerate(traj)],
        dtype=np.float64).reshape(length, 4)


def _plain_boxes(traj, length: int) -> Optional[np.ndarray]:
    """(length, 4) boxes when every box is 4 plain, finite, ordered
    numbers (the usual case, checked in a few numpy calls), else None:
    :func:`check_box` then names the first bad box."""
    try:
        if not set(map(type, chain.from_iterable(traj))) <= PLAIN_NUMBERS:
            return None
        boxes = np.array(traj, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None
    if boxes.shape != (length, 4) or not np.isfinite(boxes).all() or \
            (boxes[:, 2:] < boxes[:, :2]).any():
        return None
    return boxes


def _check_videos(videos, source: str, with_score: bool,
                  vocabulary) -> Dict[str, List[dict]]:
    if not isinstance(videos, dict):
        raise VidVRDFormatError(f'{source}: expected an object {{video_id: '
                                f'[relations]}}, got {type(videos).__name__}')
    checked = {}
    for vid, insts in videos.items():
        where = f'{source}: video {vid!r}:'
        if not isinstance(insts, list):
            raise VidVRDFormatError(f'{where} relations must be a list')
        checked[vid] = [
            check_relation(inst, f'{where} relation {i}', with_score,
                           vocabulary) for i, inst in enumerate(insts)
        ]
    return checked


def parse_groundtruth(
        data,
        source: str = '<groundtruth>',
        vocabulary: Optional[RelationVocabulary] = None
) -> Dict[str, List[dict]]:
    """Check a decoded consolidated GT ``{video_id: [instances]}``."""
    return _check_videos(data, source, False, vocabulary)


def parse_predictions(
        data,
        source: str = '<predictions>',
        vocabulary: Optional[RelationVocabulary] = None
) -> Dict[str, List[dict]]:
    """Check decoded predictions and return their ``results``."""
    if not isinstance(data, dict) or 'results' not in data:
        raise VidVRDFormatError(f'{source}: predictions must be an object '
                                'with "results" ({video_id: [relations]})')
    version = data.get('version', 'VERSION 1.0')
    if version != 'VERSION 1.0':
        raise VidVRDFormatError(f'{source}: version is {version!r}, '
                                'expected "VERSION 1.0"')
    return _check_videos(data['results'], source, True, vocabulary)


def load_groundtruth(path: str,
                     vocabulary: Optional[RelationVocabulary] = None):
    """Read and check a consolidated GT JSON file."""
    return parse_groundtruth(read_json(path), path, vocabulary)


def load_predictions(path: str,
                     vocabulary: Optional[RelationVocabulary] = None):
    """Read and check a prediction JSON file; returns its ``results``."""
    return parse_predictions(read_json(path), path, vocabulary)
