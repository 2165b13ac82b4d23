"""Greedy VidVRD detection matching of many videos in a few numpy passes.

The protocol (github.com/xdshang/VidVRD-helper
``evaluation/visual_relation_detection.py``): per video, predictions in
descending score order each take, among the still unmatched GTs with the
identical triplet, the one with the largest ``min(vIoU_sub, vIoU_obj)``
provided it is >= the threshold (first GT on ties).

A prediction only ever competes for the GTs of its own (video, triplet)
group, so the groups are independent. :func:`greedy_matches` visits them
all at once in rounds: round ``r`` takes the ``r``-th prediction of every
group and computes the vIoU only against the GTs of its group that are
still free, as the sequential protocol does (a matched GT is never looked
at again). With a threshold above 0, pairs whose spans do not meet (vIoU
0) are never computed, and the object vIoU only where the subject one
reaches the threshold. The frames shared by all pairs of a round are laid
end to end and reduced with ``np.bincount``, which adds in frame order as
a per-frame loop does, so each vIoU is the sequential sum's float64 value.
"""
from typing import List, Sequence

import numpy as np

ROLES = ('sub_traj', 'obj_traj')


def box_areas(boxes: np.ndarray) -> np.ndarray:
    """(N, ) areas of (N, 4) boxes, inclusive +1 pixel convention."""
    return (boxes[:, 2] - boxes[:, 0] + 1) * (boxes[:, 3] - boxes[:, 1] + 1)


def trajectory(relation: dict, role: str) -> np.ndarray:
    """A relation's (L, 4) float64 boxes of ``role``."""
    boxes = relation[role]
    if type(boxes) is not np.ndarray or boxes.dtype != np.float64 or \
            boxes.ndim != 2 or boxes.shape[1] != 4:
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return boxes


def _bad_box(relations: Sequence[dict], role: str) -> ValueError:
    """The error naming the first relation with a bad ``role`` box."""
    for rel in relations:
        boxes = trajectory(rel, role)
        bad = ~np.isfinite(boxes).all(1) | (boxes[:, 2:] < boxes[:, :2]).any(1)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            return ValueError(
                f'relation {tuple(rel["triplet"])} over '
                f'{tuple(rel["duration"])}: {role}[{k}] '
                f'{boxes[k].tolist()} must be finite with x2 >= x1 and '
                'y2 >= y1')
    return ValueError(f'{role}: boxes must be finite with x2 >= x1 and '
                      'y2 >= y1')


class Columns:
    """One role's boxes of some relations, column-major and laid end to
    end (contiguous columns keep numpy's loops vectorised).

    Args:
        relations (Sequence[dict]): Relations with ``duration`` and the
            role's trajectory (end - begin, 4).
        role (str): 'sub_traj' or 'obj_traj'.

    Attributes:
        boxes (ndarray): (4, sum of lengths) float64: x1, y1, x2, y2.
        offsets (ndarray): (N, ) column of each relation's frame 0 (its
            first box minus its begin frame).
        spans (ndarray): (N, 2) int64 [begin, end) frames.
        volumes (ndarray): (N, ) sum of the box areas in frame order.

    Raises:
        ValueError: naming the relation, for a trajectory whose length is
            not its duration's or a box that is not finite or has x2 < x1
            or y2 < y1.
    """

    def __init__(self, relations: Sequence[dict], role: str):
        trajs = [trajectory(rel, role) for rel in relations]
        self.spans = _spans(relations)
        lengths = _lengths(trajs, self.spans, relations, role)
        self.boxes = np.ascontiguousarray(
            np.concatenate(trajs).T) if trajs else np.zeros((4, 0))
        self.offsets = np.cumsum(lengths) - lengths - self.spans[:, 0]
        x1, y1, x2, y2 = self.boxes
        width, height = x2 - x1, y2 - y1
        # NaN fails too; an infinite box shows in the sums
        if not (width.min(initial=0) >= 0 and height.min(initial=0) >= 0):
            raise _bad_box(relations, role)
        width += 1
        height += 1
        width *= height
        self.volumes = np.bincount(
            np.repeat(np.arange(len(trajs)), lengths), width, len(trajs))
        if not np.isfinite(self.volumes).all():
            raise _bad_box(relations, role)

    def pieces(self, index: np.ndarray, begin: np.ndarray,
               count: np.ndarray) -> np.ndarray:
        """Frames ``[begin[k], begin[k] + count[k])`` of relation
        ``index[k]``, laid end to end: (4, sum of count)."""
        first = (self.offsets[index] + begin).tolist()
        return np.concatenate(
            [self.boxes[:, :0]] +
            [self.boxes[:, f:f + n] for f, n in zip(first, count.tolist())],
            axis=1)


def _lengths(trajs: List[np.ndarray], spans: np.ndarray,
             relations: Sequence[dict], role: str) -> np.ndarray:
    lengths = np.fromiter(map(len, trajs), np.int64, len(trajs))
    wrong = lengths != spans[:, 1] - spans[:, 0]
    if wrong.any():
        bad = relations[int(np.flatnonzero(wrong)[0])]
        raise ValueError(f'relation {tuple(bad["triplet"])} over '
                         f'{tuple(bad["duration"])}: {role} has '
                         f'{len(bad[role])} boxes for its duration')
    return lengths


def _spans(relations: Sequence[dict]) -> np.ndarray:
    return np.array([rel['duration'] for rel in relations],
                    dtype=np.int64).reshape(-1, 2)


def column_intersections(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(T, ) intersection areas of (4, T) column-major boxes, +1 pixel
    convention, 0 when they do not meet."""
    width = np.minimum(a[2], b[2])
    width -= np.maximum(a[0], b[0])
    width += 1
    np.maximum(width, 0, out=width)
    height = np.minimum(a[3], b[3])
    height -= np.maximum(a[1], b[1])
    height += 1
    np.maximum(height, 0, out=height)
    width *= height
    return width


def role_viou(set1: Columns, set2: Columns, rows: np.ndarray,
              cols: np.ndarray) -> np.ndarray:
    """vIoU of the pairs ``(set1[rows[k]], set2[cols[k]])``: (K, ) float64,
    0 for spans that do not meet."""
    begin = np.maximum(set1.spans[rows, 0], set2.spans[cols, 0])
    count = np.minimum(set1.spans[rows, 1], set2.spans[cols, 1]) - begin
    np.maximum(count, 0, out=count)
    overlap = np.bincount(
        np.repeat(np.arange(len(rows)), count),
        column_intersections(
            set1.pieces(rows, begin, count), set2.pieces(cols, begin, count)),
        len(rows))
    return overlap / (set1.volumes[rows] + set2.volumes[cols] - overlap)


def shared_boxes(boxes1: np.ndarray, offsets1: np.ndarray, boxes2: np.ndarray,
                 offsets2: np.ndarray, begin: np.ndarray, count: np.ndarray):
    """The boxes of frames ``[begin[k], begin[k] + count[k])`` of both
    trajectories of each pair k, all pairs laid end to end.

    Args:
        boxes1 (ndarray): (M1, 4) boxes of the first trajectories.
        offsets1 (ndarray): (K, ) row of ``boxes1`` minus frame: the box of
            frame f of pair k's first trajectory is row ``offsets1[k] + f``.
        boxes2 (ndarray): (M2, 4).
        offsets2 (ndarray): (K, ).
        begin (ndarray): (K, ) int first shared frame.
        count (ndarray): (K, ) int shared frames, >= 0.

    Returns:
        tuple[ndarray]: (T, ) pair of each row, (T, 4) and (T, 4) boxes.
    """
    pair = np.repeat(np.arange(len(count)), count)
    step = np.arange(len(pair)) - np.repeat(np.cumsum(count) - count, count)
    return (pair, boxes1[np.repeat(offsets1 + begin, count) + step],
            boxes2[np.repeat(offsets2 + begin, count) + step])


def intersections(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(T, ) areas of the intersections of (T, 4) boxes, +1 pixel
    convention, 0 when they do not meet."""
    wh = np.minimum(a[:, 2:], b[:, 2:])
    wh -= np.maximum(a[:, :2], b[:, :2])
    wh += 1
    np.maximum(wh, 0, out=wh)
    return wh[:, 0] * wh[:, 1]


def candidate_pairs(pred_keys: np.ndarray, gt_keys: np.ndarray):
    """All (prediction, GT) index pairs with equal keys, by prediction then
    GT index."""
    gt_order = np.argsort(gt_keys, kind='stable')
    sorted_keys = gt_keys[gt_order]
    low = np.searchsorted(sorted_keys, pred_keys, 'left')
    count = np.searchsorted(sorted_keys, pred_keys, 'right') - low
    rows = np.repeat(np.arange(len(pred_keys)), count)
    step = np.arange(len(rows)) - np.repeat(np.cumsum(count) - count, count)
    return rows, gt_order[np.repeat(low, count) + step]


def _rounds(rows: np.ndarray, pred_keys: np.ndarray):
    """Round of each pair: the rank of its prediction within its group
    among the predictions that have pairs."""
    preds = np.unique(rows)
    by_group = np.argsort(pred_keys[preds], kind='stable')
    keys = pred_keys[preds][by_group]
    first = np.searchsorted(keys, keys, 'left')
    rank = np.empty(len(preds), dtype=np.int64)
    rank[by_group] = np.arange(len(preds)) - first
    round_of = np.zeros(len(pred_keys), dtype=np.int64)
    round_of[preds] = rank
    return round_of[rows]


class PairOverlaps:
    """``min(vIoU_sub, vIoU_obj)`` of (prediction, GT) pairs.

    Args:
        preds (Sequence[dict]): Predicted relations.
        gts (Sequence[dict]): GT relations, flattened once.
        threshold (float): With a threshold above 0 the object vIoU is
            only computed where the subject one reaches it (values below
            the threshold are then only known to be below it).
    """

    def __init__(self, preds: Sequence[dict], gts: Sequence[dict],
                 threshold: float):
        self.preds, self.threshold = preds, threshold
        self.gts = [Columns(gts, role) for role in ROLES]

    def __call__(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """(K, ) overlap of the pairs ``(preds[rows[k]], gts[cols[k]])``."""
        out = np.full(len(rows), np.inf)
        todo = np.arange(len(rows))
        for role, gts in zip(ROLES, self.gts):
            if not len(todo):
                break
            # the predictions of a round are flattened for it
            members, local = np.unique(rows[todo], return_inverse=True)
            preds = Columns([self.preds[i] for i in members], role)
            viou = role_viou(preds, gts, local, cols[todo])
            out[todo] = np.minimum(out[todo], viou)
            if self.threshold > 0:
                # the other role can only lower the minimum
                todo = todo[viou >= self.threshold]
        return out


def greedy_matches(preds: Sequence[dict], pred_keys: np.ndarray,
                   gts: Sequence[dict], gt_keys: np.ndarray,
                   threshold: float) -> np.ndarray:
    """TP flags of greedy matching, groups given by integer keys.

    Args:
        preds (Sequence[dict]): P predictions, each group's in the order
            they are matched (descending score, stable).
        pred_keys (ndarray): (P, ) int group (e.g. video and triplet) of
            each prediction.
        gts (Sequence[dict]): G GT relations; ties go to the lower index.
        gt_keys (ndarray): (G, ) int group of each GT.
        threshold (float): Minimum ``min(vIoU_sub, vIoU_obj)``.

    Returns:
        ndarray: (P, ) bool.
    """
    hits = np.zeros(len(preds), dtype=bool)
    rows, cols = candidate_pairs(pred_keys, gt_keys)
    if threshold > 0 and len(rows):
        spans = (np.array([pred['duration'] for pred in preds],
                          dtype=np.int64).reshape(-1, 2),
                 np.array([gt['duration'] for gt in gts],
                          dtype=np.int64).reshape(-1, 2))
        meet = np.maximum(spans[0][rows, 0], spans[1][cols, 0]) < \
            np.minimum(spans[0][rows, 1], spans[1][cols, 1])
        rows, cols = rows[meet], cols[meet]
    if not len(rows):
        return hits
    gt_index, gt_local = np.unique(cols, return_inverse=True)
    overlaps = PairOverlaps(preds, [gts[g] for g in gt_index], threshold)
    rounds = _rounds(rows, pred_keys)
    by_round = np.argsort(rounds, kind='stable')
    bounds = np.searchsorted(rounds[by_round],
                             np.arange(int(rounds.max()) + 2))
    free = np.ones(len(gts), dtype=bool)
    for r in range(len(bounds) - 1):
        pairs = by_round[bounds[r]:bounds[r + 1]]
        pairs = pairs[free[cols[pairs]]]
        if not len(pairs):
            continue
        ov = overlaps(rows[pairs], gt_local[pairs])
        keep = ov >= threshold
        pairs, ov = pairs[keep], ov[keep]
        # per prediction the largest overlap, then the lowest GT index
        best = pairs[np.lexsort((cols[pairs], -ov, rows[pairs]))]
        first = np.ones(len(best), dtype=bool)
        first[1:] = rows[best][1:] != rows[best][:-1]
        hits[rows[best[first]]] = True
        free[cols[best[first]]] = False
    return hits
