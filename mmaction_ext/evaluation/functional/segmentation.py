"""Temporal action segmentation metrics and boundary post-processing.

Pure numpy, following the MS-TCN / ASRF / TRG-Net evaluation conventions:

- ``preds`` and ``gts`` are lists with one 1-D integer label array per
  sequence. Frames whose *ground truth* equals ``ignore_index`` (padding)
  are removed from both arrays before scoring, and the remaining frames are
  joined up.
- A segment is a maximal run of equal labels. Classes in ``bg_class`` are
  dropped from the segment lists (Edit, F1) but still count in the frame
  accuracy.
- Every score is a percentage. Segments end exclusively, so IoUs are exact.
  MS-TCN's ``get_labels_start_end_time`` makes the last segment of a
  sequence one frame short; that quirk is not reproduced here.
"""
from typing import Iterable, List, Optional, Sequence, Tuple

import numpy as np

Segment = Tuple[int, int, int]


def _as_labels(labels, name: str) -> np.ndarray:
    """Check and return ``labels`` as a 1-D integer array."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f'{name} must be 1-D, got shape {labels.shape}')
    if labels.size and labels.dtype.kind not in 'iub':
        raise ValueError(f'{name} must hold integer labels, got dtype '
                         f'{labels.dtype}')
    return labels.astype(np.int64)


def _valid_pairs(preds: Sequence, gts: Sequence,
                 ignore_index: Optional[int]) -> List[tuple]:
    """Pair predictions with ground truths, dropping ignored frames.

    Args:
        preds (Sequence): Predicted label arrays, one per sequence.
        gts (Sequence): Ground-truth label arrays, one per sequence.
        ignore_index (int, optional): Ground-truth value of frames to drop.

    Returns:
        list[tuple[np.ndarray, np.ndarray]]: ``(pred, gt)`` per sequence.
    """
    if len(preds) != len(gts):
        raise ValueError(f'Got {len(preds)} predicted sequences but '
                         f'{len(gts)} ground-truth sequences')
    pairs = []
    for i, (pred, gt) in enumerate(zip(preds, gts)):
        pred = _as_labels(pred, f'preds[{i}]')
        gt = _as_labels(gt, f'gts[{i}]')
        if len(pred) != len(gt):
            raise ValueError(f'Sequence {i}: prediction has {len(pred)} '
                             f'frames but ground truth has {len(gt)}')
        if ignore_index is not None:
            keep = gt != ignore_index
            pred, gt = pred[keep], gt[keep]
        pairs.append((pred, gt))
    return pairs


def get_segments(labels,
                 bg_class: Iterable[int] = (),
                 ignore_index: Optional[int] = 255) -> List[Segment]:
    """Split frame-wise labels into segments (maximal runs of one label).

    Frames equal to ``ignore_index`` belong to no segment (they split runs);
    segments of a class in ``bg_class`` are left out.

    Args:
        labels (array-like): Frame labels of shape (T, ).
        bg_class (Iterable[int]): Background classes to drop.
            Defaults to ().
        ignore_index (int, optional): Label of ignored frames; None keeps
            every label. Defaults to 255.

    Returns:
        list[tuple[int, int, int]]: ``(label, start, end)`` per segment,
        ``end`` exclusive, in temporal order.
    """
    labels = _as_labels(labels, 'labels')
    if labels.size == 0:
        return []
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [labels.size]))
    skip = set(int(c) for c in bg_class)
    if ignore_index is not None:
        skip.add(int(ignore_index))
    return [(int(labels[s]), int(s), int(e)) for s, e in zip(starts, ends)
            if int(labels[s]) not in skip]


def frame_accuracy(preds: Sequence,
                   gts: Sequence,
                   ignore_index: Optional[int] = 255) -> float:
    """Frame-wise accuracy pooled over all frames of all sequences.

    Args:
        preds (Sequence): Predicted label arrays of shape (T_i, ).
        gts (Sequence): Ground-truth label arrays of shape (T_i, ).
        ignore_index (int, optional): Ground-truth label of frames to
            exclude. Defaults to 255.

    Returns:
        float: Correct frames / valid frames in percent; 0.0 when there is
        no valid frame.
    """
    pairs = _valid_pairs(preds, gts, ignore_index)
    correct = sum(int((pred == gt).sum()) for pred, gt in pairs)
    total = sum(len(gt) for _, gt in pairs)
    return 100.0 * correct / total if total else 0.0


def levenshtein(seq_a: Sequence, seq_b: Sequence) -> int:
    """Edit distance (insertions, deletions, substitutions, all cost 1).

    Args:
        seq_a (Sequence): First sequence.
        seq_b (Sequence): Second sequence.

    Returns:
        int: The Levenshtein distance.
    """
    previous = list(range(len(seq_b) + 1))
    for i, item_a in enumerate(seq_a, start=1):
        current = [i]
        for j, item_b in enumerate(seq_b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1,
                    previous[j - 1] + (item_a != item_b)))
        previous = current
    return previous[-1]


def _segment_edit(pred_labels: Sequence[int],
                  gt_labels: Sequence[int]) -> float:
    """Edit score in percent of two segment label lists (100 if both are
    empty)."""
    longest = max(len(pred_labels), len(gt_labels))
    if longest == 0:
        return 100.0
    return (1.0 - levenshtein(pred_labels, gt_labels) / longest) * 100.0


def edit_score(preds: Sequence,
               gts: Sequence,
               bg_class: Iterable[int] = (),
               ignore_index: Optional[int] = 255) -> float:
    """Segmental edit score, averaged over sequences.

    Per sequence: ``(1 - Levenshtein(P, G) / max(|P|, |G|)) * 100`` on the
    label lists ``P``, ``G`` of the predicted and ground-truth segments. A
    sequence with no segment on either side (e.g. only background) scores
    100.

    Args:
        preds (Sequence): Predicted label arrays of shape (T_i, ).
        gts (Sequence): Ground-truth label arrays of shape (T_i, ).
        bg_class (Iterable[int]): Classes left out of the segment lists.
            Defaults to ().
        ignore_index (int, optional): Ground-truth label of frames to
            exclude. Defaults to 255.

    Returns:
        float: Mean edit score in percent; 0.0 for an empty list.
    """
    bg_class = tuple(bg_class)
    scores = []
    for pred, gt in _valid_pairs(preds, gts, ignore_index):
        pred_labels = [s[0] for s in get_segments(pred, bg_class, None)]
        gt_labels = [s[0] for s in get_segments(gt, bg_class, None)]
        scores.append(_segment_edit(pred_labels, gt_labels))
    return float(np.mean(scores)) if scores else 0.0


def _match_segments(pred_segs: List[Segment], gt_segs: List[Segment],
                    overlap: float) -> Tuple[int, int, int]:
    """Greedy MS-TCN matching of one sequence's segments.

    Each predicted segment, in temporal order, takes the ground-truth
    segment of the same label with the highest IoU (the first on ties). It
    is a true positive if that IoU >= ``overlap`` and the ground-truth
    segment is still unmatched, otherwise a false positive.

    Returns:
        tuple[int, int, int]: ``(tp, fp, fn)``.
    """
    if not gt_segs:
        return 0, len(pred_segs), 0
    gt_label, gt_start, gt_end = np.array(gt_segs).T
    matched = np.zeros(len(gt_segs), dtype=bool)
    tp = 0
    for label, start, end in pred_segs:
        inter = np.minimum(end, gt_end) - np.maximum(start, gt_start)
        union = np.maximum(end, gt_end) - np.minimum(start, gt_start)
        iou = np.clip(inter, 0, None) / union * (gt_label == label)
        best = int(np.argmax(iou))
        if iou[best] >= overlap and not matched[best]:
            matched[best] = True
            tp += 1
    return tp, len(pred_segs) - tp, int((~matched).sum())


def segment_counts(preds: Sequence,
                   gts: Sequence,
                   overlap: float,
                   bg_class: Iterable[int] = (),
                   ignore_index: Optional[int] = 255) -> Tuple[int, int, int]:
    """True/false positives and false negatives summed over sequences.

    Args:
        preds (Sequence): Predicted label arrays of shape (T_i, ).
        gts (Sequence): Ground-truth label arrays of shape (T_i, ).
        overlap (float): IoU threshold as a fraction, e.g. 0.5.
        bg_class (Iterable[int]): Classes left out of the segment lists.
            Defaults to ().
        ignore_index (int, optional): Ground-truth label of frames to
            exclude. Defaults to 255.

    Returns:
        tuple[int, int, int]: Pooled ``(tp, fp, fn)``.
    """
    if not 0 < overlap <= 1:
        raise ValueError(f'overlap is a fraction in (0, 1], got {overlap}')
    bg_class = tuple(bg_class)
    totals = np.zeros(3, dtype=np.int64)
    for pred, gt in _valid_pairs(preds, gts, ignore_index):
        totals += _match_segments(
            get_segments(pred, bg_class, None),
            get_segments(gt, bg_class, None), overlap)
    return tuple(int(n) for n in totals)


def precision_recall_f1(
        preds: Sequence,
        gts: Sequence,
        overlap: float,
        bg_class: Iterable[int] = (),
        ignore_index: Optional[int] = 255) -> Tuple[float, float, float]:
    """Segmental precision, recall and F1 at IoU ``overlap``.

    The counts are pooled over all sequences before the ratios are taken,
    so F1 is not the mean of per-sequence F1 scores.

    Args:
        preds (Sequence): Predicted label arrays of shape (T_i, ).
        gts (Sequence): Ground-truth label arrays of shape (T_i, ).
        overlap (float): IoU threshold as a fraction, e.g. 0.5.
        bg_class (Iterable[int]): Classes left out of the segment lists.
            Defaults to ().
        ignore_index (int, optional): Ground-truth label of frames to
            exclude. Defaults to 255.

    Returns:
        tuple[float, float, float]: Precision, recall and F1 in percent;
        each is 0.0 when its denominator is 0.
    """
    tp, fp, fn = segment_counts(preds, gts, overlap, bg_class, ignore_index)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    total = precision + recall
    f1 = 2 * precision * recall / total if total else 0.0
    return 100.0 * precision, 100.0 * recall, 100.0 * f1


def f1_score(preds: Sequence,
             gts: Sequence,
             overlap: float,
             bg_class: Iterable[int] = (),
             ignore_index: Optional[int] = 255) -> float:
    """Segmental F1@overlap in percent, see :func:`precision_recall_f1`."""
    return precision_recall_f1(preds, gts, overlap, bg_class, ignore_index)[2]


def boundary_starts(boundary_logits, threshold: float = 0.5) -> np.ndarray:
    """Frames that start a span in boundary refinement.

    The boundary probability (sigmoid of the logits) is set to 0 below
    ``threshold``; peaks are frames strictly greater than both neighbours.
    The first and last frames have one neighbour only and are never peaks
    (as ``scipy.signal.argrelmax``); frame 0 is always a start.

    Args:
        boundary_logits (array-like): Boundary logits of shape (T, ).
        threshold (float): Probability threshold. Defaults to 0.5.

    Returns:
        np.ndarray: Sorted start frames, beginning with 0 (empty if T = 0).
    """
    logits = np.asarray(boundary_logits, dtype=np.float64).reshape(-1)
    if logits.size == 0:
        return np.zeros(0, dtype=np.int64)
    prob = 0.5 * (1.0 + np.tanh(0.5 * logits))  # overflow-free sigmoid
    prob[prob < threshold] = 0.0
    middle = prob[1:-1]
    peaks = np.flatnonzero((middle > prob[:-2]) & (middle > prob[2:])) + 1
    return np.concatenate(([0], peaks)).astype(np.int64)


def _span_vote(labels: np.ndarray, scores: np.ndarray) -> int:
    """Majority label of a span; ties go to the larger summed score, then
    to the smaller class index."""
    counts = np.bincount(labels, minlength=scores.shape[0])
    modes = np.flatnonzero(counts == counts.max())
    if len(modes) == 1:
        return int(modes[0])
    return int(modes[np.argmax(scores[modes].sum(axis=1))])


def refine_with_boundaries(scores,
                           boundary_logits,
                           threshold: float = 0.5) -> np.ndarray:
    """Boundary-aware relabelling (TRG-Net's ``refinement_with_boundary``).

    Each span between consecutive starts from :func:`boundary_starts` is
    relabelled with the majority of the frame-wise argmax predictions in
    it; ties go to the class with the larger sum of scores over the span.

    Args:
        scores (array-like): Class scores (logits) of shape (C, T).
        boundary_logits (array-like): Boundary logits of shape (T, ) or
            (1, T).
        threshold (float): Boundary probability threshold. Defaults to 0.5.

    Returns:
        np.ndarray: Refined labels of shape (T, ), int64.
    """
    scores = np.asarray(scores, dtype=np.float64)
    logits = np.asarray(boundary_logits).reshape(-1)
    if scores.ndim != 2 or not scores.shape[0] or \
            scores.shape[1] != logits.size:
        raise ValueError(f'scores must be (C, T) with C >= 1 and T = '
                         f'{logits.size} boundary frames, got shape '
                         f'{scores.shape}')
    labels = scores.argmax(axis=0)
    starts = boundary_starts(logits, threshold)
    ends = np.append(starts[1:], logits.size)
    refined = np.empty(logits.size, dtype=np.int64)
    for start, end in zip(starts, ends):
        refined[start:end] = _span_vote(labels[start:end], scores[:,
                                                                  start:end])
    return refined
