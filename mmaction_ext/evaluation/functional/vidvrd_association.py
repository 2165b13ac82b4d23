"""Greedy association of segment relations into video relations.

VidVRD-II's greedy relation association as RePro runs it
(github.com/Dawn-LX/OpenVoc-VidVRD ``utils/association.py::
greedy_relation_association`` with its ``VideoRelation`` / ``Trajectory``
classes; defaults of its ``association_cfg``):

* segments are visited in start order; per segment the relations are taken
  by descending score (top ``inference_topk``);
* each one extends the first relation, among those extended or created in
  the previous segment (by descending score, each at most once), with the
  same triplet whose subject **and** object cubic intersection exceed
  ``linkage_threshold``. The cubic intersection is the vIoU over the
  temporal overlap of the two trajectories; without overlap but a gap
  shorter than ``temporal_tolerance`` frames it is the IoU of the facing
  end boxes; otherwise 0;
* extending averages the boxes on the overlap, keeps the rest and linearly
  interpolates across a gap; the score is the **sum** of the segment
  scores;
* a video relation spans the intersection of its subject and object spans
  and is dropped if that is at most one frame; the top
  ``association_topk`` by score are returned.

Cubic intersections are computed only for the pairs with the same triplet,
over their shared frames (all pairs of a segment in one numpy pass), the
intersection and area sums added in frame order in float64 (RePro:
float32). Boxes use the inclusive +1 pixel convention throughout.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np

from .vidvrd import score_order
from .vidvrd_matching import box_areas, intersections, shared_boxes


class _Track:
    """Boxes (L, 4) float64 of frames ``[begin, begin + L)``."""

    def __init__(self, begin: int, boxes: np.ndarray):
        self.begin, self.boxes = int(begin), boxes
        self.end = self.begin + len(boxes)

    def join(self, other: '_Track') -> '_Track':
        """Mean on the overlap, either track elsewhere, a line on a gap."""
        begin, end = min(self.begin, other.begin), max(self.end, other.end)
        boxes = np.empty((end - begin, 4))
        for track in (self, other):
            boxes[track.begin - begin:track.end - begin] = track.boxes
        first, second = sorted((self, other), key=lambda t: t.begin)
        if second.begin < first.end:
            stop = min(first.end, second.end)
            boxes[second.begin - begin:stop - begin] = (
                first.boxes[second.begin - first.begin:stop - first.begin] +
                second.boxes[:stop - second.begin]) / 2
        elif first.end < second.begin:
            left, right = first.end - 1, second.begin
            frames = np.arange(first.end, second.begin)
            weight = ((frames - left) / (right - left))[:, None]
            boxes[first.end - begin:second.begin - begin] = (
                first.boxes[-1] + weight * (second.boxes[0] - first.boxes[-1]))
        return _Track(begin, boxes)


def _area(boxes: np.ndarray) -> np.ndarray:
    return (boxes[..., 2] - boxes[..., 0] + 1) * \
        (boxes[..., 3] - boxes[..., 1] + 1)


def _box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise IoU of (..., 4) boxes, +1 pixel convention."""
    w = np.clip(
        np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]) +
        1, 0, None)
    h = np.clip(
        np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]) +
        1, 0, None)
    inter = w * h
    return inter / np.maximum(_area(a) + _area(b) - inter, 1e-8)


class _FlatTracks:
    """Tracks' boxes from frame ``since`` on, laid end to end, with their
    spans and end boxes; frames before ``since`` are left out."""

    def __init__(self, tracks: Sequence[_Track], since: int = 0):
        self.begin = np.array([t.begin for t in tracks], dtype=np.int64)
        self.end = np.array([t.end for t in tracks], dtype=np.int64)
        kept = [t.boxes[max(since - t.begin, 0):] for t in tracks]
        lengths = np.fromiter(map(len, kept), np.int64, len(kept))
        self.boxes = np.concatenate(kept).reshape(-1, 4)
        # row of a frame's box = offset + frame
        self.offset = np.cumsum(lengths) - lengths - np.maximum(
            self.begin, since)
        self.first = np.array([t.boxes[0] for t in tracks]).reshape(-1, 4)
        self.last = np.array([t.boxes[-1] for t in tracks]).reshape(-1, 4)


def _pair_cubic(set1: _FlatTracks, set2: _FlatTracks, rows: np.ndarray,
                cols: np.ndarray, temporal_tolerance: int) -> np.ndarray:
    """Cubic intersection of the pairs ``(set1[rows[k]], set2[cols[k]])``;
    the frames both share must lie in both sets."""
    b1, e1, b2, e2 = set1.begin[rows], set1.end[rows], set2.begin[cols], \
        set2.end[cols]
    start, stop = np.maximum(b1, b2), np.minimum(e1, e2)
    pair, a, b = shared_boxes(set1.boxes, set1.offset[rows], set2.boxes,
                              set2.offset[cols], start,
                              np.maximum(stop - start, 0))
    inter = np.bincount(pair, intersections(a, b), len(rows))
    both = np.bincount(pair, box_areas(a) + box_areas(b), len(rows))
    overlap_iou = inter / np.maximum(both - inter, 1e-8)
    early = (e1 <= b2)[:, None]
    facing_iou = _box_iou(
        np.where(early, set1.last[rows], set1.first[rows]),
        np.where(early, set2.first[cols], set2.last[cols]))
    near = start - stop < temporal_tolerance
    return np.where(start < stop, overlap_iou, np.where(near, facing_iou, 0.))


def cubic_intersection(tracks1: Sequence[_Track],
                       tracks2: Sequence[_Track],
                       temporal_tolerance: int = 30) -> np.ndarray:
    """Pairwise cubic intersection (see the module docstring): (N1, N2)."""
    if not len(tracks1) or not len(tracks2):
        return np.zeros((len(tracks1), len(tracks2)))
    rows, cols = np.divmod(
        np.arange(len(tracks1) * len(tracks2)), len(tracks2))
    return _pair_cubic(
        _FlatTracks(tracks1), _FlatTracks(tracks2), rows, cols,
        temporal_tolerance).reshape(len(tracks1), len(tracks2))


class _Relation:

    def __init__(self, rel: dict, key: int):
        self.triplet, self.key = tuple(rel['triplet']), key
        self.sub = _Track(rel['duration'][0], np.asarray(rel['sub_traj']))
        self.obj = _Track(rel['duration'][0], np.asarray(rel['obj_traj']))
        self.scores = [rel['score']]

    @property
    def score(self) -> float:
        return sum(self.scores)

    def extend(self, other: '_Relation') -> None:
        self.sub, self.obj = self.sub.join(other.sub), self.obj.join(other.obj)
        self.scores.append(other.score)

    def serialize(self):
        begin = max(self.sub.begin, self.obj.begin)
        end = min(self.sub.end, self.obj.end)
        if end - begin <= 1:
            return None
        return dict(
            triplet=self.triplet,
            score=float(self.score),
            duration=(begin, end),
            sub_traj=self.sub.boxes[begin - self.sub.begin:end -
                                    self.sub.begin],
            obj_traj=self.obj.boxes[begin - self.obj.begin:end -
                                    self.obj.begin])


def _links(open_rels, new_rels, threshold, tolerance):
    """(Q, P) bool: same triplet, both cubic intersections > threshold."""
    linked = np.zeros((len(open_rels), len(new_rels)), dtype=bool)
    if not open_rels or not new_rels:
        return linked
    rows, cols = np.nonzero(
        np.array([r.key for r in open_rels])[:, None] == np.array(
            [r.key for r in new_rels])[None])
    for role in ('sub', 'obj'):
        if not len(rows):
            break
        ones, rows_in = np.unique(rows, return_inverse=True)
        twos, cols_in = np.unique(cols, return_inverse=True)
        new_tracks = [getattr(new_rels[i], role) for i in twos]
        # only frames a new track covers can be shared
        since = min(t.begin for t in new_tracks)
        ci = _pair_cubic(
            _FlatTracks([getattr(open_rels[i], role) for i in ones], since),
            _FlatTracks(new_tracks, since), rows_in, cols_in, tolerance)
        rows, cols = rows[ci > threshold], cols[ci > threshold]
    linked[rows, cols] = True
    return linked


def greedy_relation_association(segments: Dict[Tuple[int, int], List[dict]],
                                inference_topk: int = 200,
                                linkage_threshold: float = 0.5,
                                temporal_tolerance: int = 30,
                                association_topk: int = 200) -> List[dict]:
    """Associate one video's segment relations into video relations.

    Args:
        segments (dict[tuple[int, int], list[dict]]): Relations (checked,
            with ``triplet``, ``score``, ``duration``, ``sub_traj``,
            ``obj_traj``) per segment ``(begin, end)``.
        inference_topk (int): Relations taken per segment. Defaults to 200.
        linkage_threshold (float): Cubic intersection to link (strictly
            exceeded). Defaults to 0.5.
        temporal_tolerance (int): Largest gap (exclusive) bridged by the
            end boxes. Defaults to 30.
        association_topk (int): Video relations returned. Defaults to 200.

    Returns:
        list[dict]: Video relations by descending score, in the prediction
        format (``triplet``, ``score``, ``duration``, ``sub_traj``,
        ``obj_traj``).
    """
    video, open_rels, ids = [], [], {}
    for key in sorted(segments, key=lambda s: s[0]):
        open_rels = [
            open_rels[i]
            for i in score_order([dict(score=r.score) for r in open_rels])
        ]
        rels = segments[key]
        new_rels = [
            _Relation(rels[i],
                      ids.setdefault(tuple(rels[i]['triplet']), len(ids)))
            for i in score_order(rels)[:inference_topk]
        ]
        linked = _links(open_rels, new_rels, linkage_threshold,
                        temporal_tolerance)
        free = np.ones(len(open_rels), dtype=bool)
        any_link = linked.any(0)
        current = []
        for p, rel in enumerate(new_rels):
            hits = np.flatnonzero(linked[:, p] & free) if any_link[p] else ()
            if len(hits):
                target = open_rels[hits[0]]
                target.extend(rel)
                free[hits[0]] = False
                current.append(target)
            else:
                video.append(rel)
                current.append(rel)
        open_rels = current
    results = [r for r in (rel.serialize() for rel in video) if r]
    return [results[i] for i in score_order(results)[:association_topk]]
