"""SAGE's semantic-teacher descriptions of a video, as text and encoded.

The teacher describes each segment from four perspectives (paper Sec. 3.3):
the subject region, the object region, their union and the whole frame
(global). Subject and object descriptions depend on one track, so each
track of a segment is described once and shared by its pairs.

**Text file** ``<video_id>.json`` (``tools/sage/describe_pairs.py``)::

    {"format": "mmaction_ext.vidvrd_descriptions", "version": 1,
     "video_id": "...", "teacher": "asmv2", "model": "OpenGVLab/ASMv2",
     "segments": {"0015-0045": {"global": "...",
                                "objects": {"<tid>": "..."},
                                "unions": {"<sub tid>-<obj tid>": "..."}}}}

``teacher`` names the semantic teacher (the name configs ask for) and
``model`` the endpoint's model that answered; one file never mixes two
(files written before they were recorded have neither: teacher unknown).

**Encoded file** ``<video_id>.npz`` (F_text, ``--encode``): ``key``
(JSON of the text encoder's identity, the texts' SHA-256 and their
``teacher`` / ``teacher_model``), ``segments`` (S, 2) int64,
``global_feats`` (S, Dt), ``object_keys`` (N_o, 2) [segment row, tid] with
``object_feats`` (N_o, Dt), ``union_keys`` (N_u, 3) [segment row, subject
tid, object tid] with ``union_feats`` (N_u, Dt); float32.
"""
import json
from typing import Dict, Optional, Tuple

import numpy as np

from ..fileio.atomic_write import write_atomically
from .vidvrd_annotation import VidVRDFormatError, read_json
from .vidvrd_features import read_video_arrays

FORMAT = 'mmaction_ext.vidvrd_descriptions'
VERSION = 1
DESCRIPTION_VIEWS = ('subject', 'object', 'union', 'global')
ENCODED_ARRAYS = ('key', 'segments', 'global_feats', 'object_keys',
                  'object_feats', 'union_keys', 'union_feats')


def segment_name(segment: Tuple[int, int]) -> str:
    """``'0015-0045'``: VidVRD-helper's segment signature without video."""
    return f'{segment[0]:04d}-{segment[1]:04d}'


def empty_descriptions(video_id: str,
                       teacher: Optional[str] = None,
                       model: Optional[str] = None) -> dict:
    return dict(
        format=FORMAT,
        version=VERSION,
        video_id=video_id,
        teacher=teacher,
        model=model,
        segments={})


def check_teacher(found: Optional[str], expected: Optional[str], path: str,
                  video_id: str) -> None:
    """Raise unless a file of teacher ``found`` may be read as ``expected``
    (None: any teacher)."""
    if expected is None or found == expected:
        return
    found = 'no teacher (written before teachers were recorded)' \
        if found is None else f'teacher {found!r}'
    raise VidVRDFormatError(
        f'{path}: video {video_id!r}: descriptions of {found}, but the '
        f'config expects teacher {expected!r} (the dataset\'s teacher); '
        "describe the videos with that teacher into the config's "
        'data_prefix.descriptions, or point the config at that teacher\'s '
        'folder')


def load_descriptions(path: str, video_id: str) -> dict:
    """Read and check a description text file of ``video_id``."""
    data = read_json(path)
    where = f'{path}: video {video_id!r}:'
    if not isinstance(data, dict) or data.get('format') != FORMAT or \
            data.get('version') != VERSION:
        raise VidVRDFormatError(f'{where} not a description file '
                                f'("format": "{FORMAT}", version {VERSION})')
    if data.get('video_id') != video_id:
        raise VidVRDFormatError(f'{where} describes video '
                                f'{data.get("video_id")!r}')
    segments = data.get('segments')
    if not isinstance(segments, dict):
        raise VidVRDFormatError(f'{where} "segments" must be an object')
    for field in ('teacher', 'model'):
        if not isinstance(data.get(field), (str, type(None))):
            raise VidVRDFormatError(f'{where} "{field}" must be a string')
    for name, seg in segments.items():
        if not isinstance(seg, dict) or not isinstance(seg.get('global'), str):
            raise VidVRDFormatError(f'{where} segments[{name!r}] lacks a '
                                    '"global" description')
        for part in ('objects', 'unions'):
            texts = seg.get(part, {})
            if not isinstance(texts, dict) or not all(
                    isinstance(t, str) for t in texts.values()):
                raise VidVRDFormatError(f'{where} segments[{name!r}].{part} '
                                        'must map ids to strings')
    return data


def save_encoded(path: str, key: dict, arrays: Dict[str, np.ndarray]) -> None:
    """Write an encoded description file atomically."""
    out = {k: np.asarray(v) for k, v in arrays.items()}
    for name in ('global_feats', 'object_feats', 'union_feats'):
        out[name] = out[name].astype(np.float32)
    out['key'] = np.array(json.dumps(key, sort_keys=True))
    write_atomically(path, lambda f: np.savez(f, **out))


class VideoDescriptionFeatures:
    """A video's encoded descriptions; :meth:`gather` builds F_text.

    Args:
        path (str): The encoded ``.npz`` file.
        video_id (str): Names the video in errors.
    """

    def __init__(self, path: str, video_id: str) -> None:
        self.path, self.video_id = path, video_id
        arrays = read_video_arrays(
            path, video_id, ENCODED_ARRAYS, 'encoded description file',
            'tools/sage/describe_pairs.py with --encode')
        self.key = json.loads(str(arrays.pop('key')))
        self.teacher = self.key.get('teacher')
        self.__dict__.update(arrays)
        self._segment = {
            (int(b), int(e)): i
            for i, (b, e) in enumerate(self.segments)
        }
        self._object = {
            (int(s), int(t)): i
            for i, (s, t) in enumerate(self.object_keys)
        }
        self._union = {
            (int(s), int(a), int(b)): i
            for i, (s, a, b) in enumerate(self.union_keys)
        }

    def _missing(self, what: str, segment) -> VidVRDFormatError:
        return VidVRDFormatError(
            f'{self.path}: video {self.video_id!r}: segment '
            f'{segment_name(segment)}: no {what} description (describe the '
            'same segments and trajectories as the dataset)')

    def gather(self, segment: Tuple[int, int],
               pair_tids: np.ndarray) -> np.ndarray:
        """(P, 4, Dt) float32: subject, object, union, global."""
        segment = (int(segment[0]), int(segment[1]))
        if segment not in self._segment:
            raise self._missing('global', segment)
        row = self._segment[segment]
        out = np.zeros((len(pair_tids), 4, self.global_feats.shape[1]),
                       dtype=np.float32)
        for p, (s, o) in enumerate(pair_tids):
            for view, tid in ((0, s), (1, o)):
                index = self._object.get((row, int(tid)))
                if index is None:
                    raise self._missing(f'object tid {tid}', segment)
                out[p, view] = self.object_feats[index]
            index = self._union.get((row, int(s), int(o)))
            if index is None:
                raise self._missing(f'union ({s}, {o})', segment)
            out[p, 2] = self.union_feats[index]
            out[p, 3] = self.global_feats[row]
        return out
