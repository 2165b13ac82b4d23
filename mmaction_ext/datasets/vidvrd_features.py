"""Cached per-video region features and the pair motion features of SAGE.

**Feature file** (one ``<video_id>.npz`` per video, written by
``tools/sage/extract_features.py``; arrays, F frames with features):

* ``key``: JSON string of the settings that shaped the file (model,
  frames, segments, trajectory source, ...); a rerun with other settings
  refuses to mix files;
* ``frame_ids`` (F,) int64, sorted video frame indices;
* ``frame_feats`` (F, D): the whole-frame region feature;
* ``object_tids`` (K,) int64 and ``object_rows`` (K, F) int32: row of
  ``object_feats`` (N_o, D) holding track k's box feature at frame f, -1
  when the track has no box there;
* ``pair_tids`` (Q, 2) int64 (subject, object) and ``union_rows`` (Q, F)
  int32 into ``union_feats`` (N_u, D) for the union box of the pair.

Features are stored as float16 by default and returned as float32.

**Motion features** (:func:`motion_features`, Dm = 17 per pair and sampled
frame; the paper encodes "the normalized bounding box trajectories and
spatial configurations" with an MLP). With subject box s = (x1, y1, x2, y2),
object box o, frame size W x H, widths w = x2 - x1 + 1, heights h and
centres (cx, cy):

* [0:4] s normalised: x1 / W, y1 / H, x2 / W, y2 / H;
* [4:8] o normalised likewise;
* [8:12] relative configuration: (cx_o - cx_s) / w_s, (cy_o - cy_s) / h_s,
  log(w_o / w_s), log(h_o / h_s);
* [12] IoU(s, o);
* [13:17] change of [8:12] since the previous sampled frame (0 on the first
  frame and after a frame where the pair was not both present).

Frames where the pair is not both present are all zeros.
"""
import json
from typing import Dict, Optional, Tuple

import numpy as np

from ..fileio.atomic_write import write_atomically
from .vidvrd_annotation import VidVRDFormatError

MOTION_DIMS = 17
FEATURE_ARRAYS = ('key', 'frame_ids', 'frame_feats', 'object_tids',
                  'object_rows', 'object_feats', 'pair_tids', 'union_rows',
                  'union_feats')


def motion_features(subject_boxes: np.ndarray, object_boxes: np.ndarray,
                    mask: np.ndarray, width: float,
                    height: float) -> np.ndarray:
    """Normalised relative box trajectories (see the module docstring).

    Args:
        subject_boxes (ndarray): (P, T, 4) pixel boxes (anything where
            ``mask`` is False).
        object_boxes (ndarray): (P, T, 4).
        mask (ndarray): (P, T) bool, both boxes present.
        width (float): Frame width W.
        height (float): Frame height H.

    Returns:
        ndarray: (P, T, 17) float32.
    """
    s = np.where(mask[..., None], subject_boxes, 0.).astype(np.float64)
    o = np.where(mask[..., None], object_boxes, 0.).astype(np.float64)
    scale = np.array([width, height, width, height])
    ws, hs = s[..., 2] - s[..., 0] + 1, s[..., 3] - s[..., 1] + 1
    wo, ho = o[..., 2] - o[..., 0] + 1, o[..., 3] - o[..., 1] + 1
    ws, hs, wo, ho = (np.maximum(v, 1e-6) for v in (ws, hs, wo, ho))
    relative = np.stack(
        [((o[..., 0] + o[..., 2]) - (s[..., 0] + s[..., 2])) / 2 / ws,
         ((o[..., 1] + o[..., 3]) - (s[..., 1] + s[..., 3])) / 2 / hs,
         np.log(wo / ws),
         np.log(ho / hs)], -1)
    iw = np.clip(
        np.minimum(s[..., 2], o[..., 2]) - np.maximum(s[..., 0], o[..., 0]) +
        1, 0, None)
    ih = np.clip(
        np.minimum(s[..., 3], o[..., 3]) - np.maximum(s[..., 1], o[..., 1]) +
        1, 0, None)
    inter = iw * ih
    iou = inter / (ws * hs + wo * ho - inter)
    change = np.zeros_like(relative)
    steady = mask[:, 1:] & mask[:, :-1]
    change[:, 1:] = np.where(steady[..., None],
                             relative[:, 1:] - relative[:, :-1], 0.)
    out = np.concatenate(
        [s / scale, o / scale, relative, iou[..., None], change], -1)
    return np.where(mask[..., None], out, 0.).astype(np.float32)


def save_video_features(path: str,
                        key: dict,
                        arrays: Dict[str, np.ndarray],
                        dtype: str = 'float16') -> None:
    """Write one video's feature file atomically (see the module docstring).

    Args:
        path (str): ``<dir>/<video_id>.npz``.
        key (dict): Settings identifying the features.
        arrays (dict): The arrays named in the module docstring but
            ``key``.
        dtype (str): Storage type of the features. Defaults to 'float16'.
    """
    out = dict(arrays)
    for name in ('frame_feats', 'object_feats', 'union_feats'):
        out[name] = np.asarray(out[name], dtype=dtype)
    out['key'] = np.array(json.dumps(key, sort_keys=True))
    write_atomically(path, lambda f: np.savez(f, **out))


def read_feature_key(path: str) -> Optional[dict]:
    """The settings a feature file was written with; None if unreadable."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return json.loads(str(data['key']))
    except (OSError, ValueError, KeyError):
        return None


def read_video_arrays(path: str, video_id: str, names: Tuple[str, ...],
                      what: str, producer: str) -> Dict[str, np.ndarray]:
    """Read the named arrays of one video's ``.npz`` file, all of them.

    Args:
        path (str): The ``.npz`` file.
        video_id (str): Names the video in errors.
        names (tuple[str]): The arrays the file must hold.
        what (str): What the file is, for errors (e.g. ``'feature file'``).
        producer (str): What writes the file, for the missing-file error.

    Returns:
        dict[str, ndarray]: The arrays by name.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in names if k not in data]
            if missing:
                raise VidVRDFormatError(
                    f'{path}: video {video_id!r}: {what} lacks {missing}')
            return {k: data[k] for k in names}
    except FileNotFoundError:
        raise FileNotFoundError(f'video {video_id!r}: no {what} {path} (run '
                                f'{producer})') from None
    except (OSError, ValueError) as err:
        raise VidVRDFormatError(f'{path}: video {video_id!r}: unreadable '
                                f'{what} ({err})') from None


class VideoFeatures:
    """One video's feature file, read and checked.

    Args:
        path (str): The ``.npz`` file.
        video_id (str): Names the video in errors.
    """

    def __init__(self, path: str, video_id: str) -> None:
        self.path, self.video_id = path, video_id
        arrays = read_video_arrays(path, video_id, FEATURE_ARRAYS,
                                   'feature file',
                                   'tools/sage/extract_features.py')
        self.key = json.loads(str(arrays.pop('key')))
        self.__dict__.update(arrays)
        self._frame_col = {int(f): i for i, f in enumerate(self.frame_ids)}
        self._object_row = {int(t): i for i, t in enumerate(self.object_tids)}
        self._pair_row = {
            (int(s), int(o)): i
            for i, (s, o) in enumerate(self.pair_tids)
        }

    @property
    def dims(self) -> int:
        return int(self.frame_feats.shape[1])

    def _columns(self, frames: np.ndarray) -> np.ndarray:
        try:
            return np.array([self._frame_col[int(f)] for f in frames])
        except KeyError as err:
            raise VidVRDFormatError(
                f'{self.path}: video {self.video_id!r}: no features of frame'
                f' {err.args[0]}; the file was written for other segments or'
                ' frames (extract again into a new folder)') from None

    def _gather(self, rows, feats, index, mask, what):
        out = np.zeros(mask.shape + (self.dims, ), dtype=np.float32)
        picked = rows[index]  # (P, T)
        lacking = mask & (picked < 0)
        if lacking.any():
            p, t = np.argwhere(lacking)[0]
            raise VidVRDFormatError(
                f'{self.path}: video {self.video_id!r}: no {what} feature '
                f'for pair {p} at sampled frame {t}; the file was written '
                'for other trajectories (extract again into a new folder)')
        out[mask] = feats[picked[mask]]
        return out

    def gather(self, pair_tids: np.ndarray, frames: np.ndarray,
               mask: np.ndarray) -> Tuple[np.ndarray, ...]:
        """Subject, object, union (P, T, D) and frame (T, D) features.

        Args:
            pair_tids (ndarray): (P, 2) subject / object tids.
            frames (ndarray): (T,) video frames.
            mask (ndarray): (P, T) bool, both boxes present.
        """
        cols = self._columns(frames)
        frame_feats = self.frame_feats[cols].astype(np.float32)
        results = []
        for role in (0, 1):
            try:
                rows = [self._object_row[int(t)] for t in pair_tids[:, role]]
            except KeyError as err:
                raise VidVRDFormatError(
                    f'{self.path}: video {self.video_id!r}: no features of '
                    f'tid {err.args[0]}') from None
            index = (np.array(rows, dtype=np.int64)[:, None], cols[None])
            results.append(
                self._gather(self.object_rows, self.object_feats, index, mask,
                             'subject' if role == 0 else 'object'))
        pairs = [
            self._pair_row.get((int(s), int(o)), -1) for s, o in pair_tids
        ]
        if -1 in pairs and mask[np.array(pairs) == -1].any():
            s, o = pair_tids[pairs.index(-1)]
            raise VidVRDFormatError(
                f'{self.path}: video {self.video_id!r}: no union features of '
                f'pair ({s}, {o})')
        rows = np.maximum(np.array(pairs, dtype=np.int64), 0)
        union_rows = np.concatenate(
            [self.union_rows, np.full((1, len(self.frame_ids)), -1)]) \
            if len(self.union_rows) == 0 else self.union_rows
        results.append(
            self._gather(union_rows, self.union_feats,
                         (rows[:, None], cols[None]), mask, 'union'))
        return results[0], results[1], results[2], frame_feats
