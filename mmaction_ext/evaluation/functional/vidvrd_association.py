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

The vIoU comes from :func:`mmaction_ext.ops.trajectory_viou`; RePro
accumulates the intersections in float32, this module in float64. Boxes use
the inclusive +1 pixel convention throughout.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np

from mmaction_ext.ops import trajectory_viou
from .vidvrd import pack_trajectories, score_order


class _Track:
    """Boxes (L, 4) float64 of frames ``[begin, begin + L)``."""

    def __init__(self, begin: int, boxes: np.ndarray):
        self.begin, self.boxes = int(begin), boxes

    @property
    def end(self) -> int:
        return self.begin + len(self.boxes)

    def join(self, other: '_Track') -> '_Track':
        """Mean on the overlap, either track elsewhere, a line on a gap."""
        begin, end = min(self.begin, other.begin), max(self.end, other.end)
        total = np.zeros((end - begin, 4))
        count = np.zeros((end - begin, 1))
        for track in (self, other):
            total[track.begin - begin:track.end - begin] += track.boxes
            count[track.begin - begin:track.end - begin] += 1
        boxes = total / np.maximum(count, 1)
        first, second = sorted((self, other), key=lambda t: t.begin)
        if first.end < second.begin:
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


def _padded_prefix(tracks: Sequence[_Track]) -> np.ndarray:
    """(N, Lmax + 1) cumulative box areas, the last value repeated."""
    length = max(len(t.boxes) for t in tracks)
    prefix = np.zeros((len(tracks), length + 1))
    for i, t in enumerate(tracks):
        prefix[i, 1:len(t.boxes) + 1] = np.cumsum(_area(t.boxes))
        prefix[i, len(t.boxes) + 1:] = prefix[i, len(t.boxes)]
    return prefix


def _range_volume(prefix, begins, start, stop, axis):
    """Volume of track i (along ``axis`` of the pair grid) on
    ``[start, stop)`` from its prefix sums."""
    rows = np.arange(len(prefix))
    rows = rows[:, None] if axis == 0 else rows[None, :]
    offset = begins[:, None] if axis == 0 else begins[None, :]
    length = prefix.shape[1] - 1
    return (prefix[rows, np.clip(stop - offset, 0, length)] -
            prefix[rows, np.clip(start - offset, 0, length)])


def cubic_intersection(tracks1: Sequence[_Track],
                       tracks2: Sequence[_Track],
                       temporal_tolerance: int = 30) -> np.ndarray:
    """Pairwise cubic intersection (see the module docstring): (N1, N2)."""
    if not len(tracks1) or not len(tracks2):
        return np.zeros((len(tracks1), len(tracks2)))
    packed = [
        pack_trajectories(
            [dict(duration=(t.begin, t.end), traj=t.boxes)
             for t in tracks], 'traj') for tracks in (tracks1, tracks2)
    ]
    # shift-invariant: start at frame 0 to keep the op's frame axis short
    first = min(int(p[1][:, 0].min()) for p in packed)
    (boxes1, spans1), (boxes2, spans2) = [(b, s - first) for b, s in packed]
    viou = trajectory_viou(boxes1, spans1, boxes2, spans2)[0].numpy()
    b1, e1 = spans1.numpy().T
    b2, e2 = spans2.numpy().T
    start = np.maximum(b1[:, None], b2[None])
    stop = np.minimum(e1[:, None], e2[None])
    prefix1, prefix2 = _padded_prefix(tracks1), _padded_prefix(tracks2)
    # vIoU over the full spans -> intersection -> IoU over the overlap
    inter = viou * (prefix1[:, -1:] + prefix2[None, :, -1]) / (1 + viou)
    part = (
        _range_volume(prefix1, b1, start, stop, 0) +
        _range_volume(prefix2, b2, start, stop, 1))
    overlap_iou = inter / np.maximum(part - inter, 1e-8)
    first1 = np.stack([t.boxes[0] for t in tracks1])[:, None]
    last1 = np.stack([t.boxes[-1] for t in tracks1])[:, None]
    first2 = np.stack([t.boxes[0] for t in tracks2])[None]
    last2 = np.stack([t.boxes[-1] for t in tracks2])[None]
    early = (e1[:, None] <= b2[None])[..., None]
    facing_iou = _box_iou(
        np.where(early, last1, first1), np.where(early, first2, last2))
    near = start - stop < temporal_tolerance
    return np.where(start < stop, overlap_iou, np.where(near, facing_iou, 0.))


class _Relation:

    def __init__(self, rel: dict):
        self.triplet = tuple(rel['triplet'])
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
    same = np.zeros((len(open_rels), len(new_rels)), dtype=bool)
    for i, rel in enumerate(open_rels):
        same[i] = [rel.triplet == new.triplet for new in new_rels]
    linked = same.copy()
    for role in ('sub', 'obj'):
        ci = cubic_intersection([getattr(o, role) for o in open_rels],
                                [getattr(n, role) for n in new_rels],
                                tolerance)
        linked &= ci > threshold
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
    video, open_rels = [], []
    for key in sorted(segments, key=lambda s: s[0]):
        open_rels = [
            open_rels[i]
            for i in score_order([dict(score=r.score) for r in open_rels])
        ]
        rels = segments[key]
        new_rels = [
            _Relation(rels[i]) for i in score_order(rels)[:inference_topk]
        ]
        linked = _links(open_rels, new_rels, linkage_threshold,
                        temporal_tolerance)
        free = np.ones(len(open_rels), dtype=bool)
        current = []
        for p, rel in enumerate(new_rels):
            hits = np.flatnonzero(linked[:, p] & free)
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
