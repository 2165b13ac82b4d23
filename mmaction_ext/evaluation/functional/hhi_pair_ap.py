"""Person-pair interaction AP and recall (SportsHHI protocol), pure numpy.

A detection is (keyframe, person-1 box, person-2 box, class, score). As
SportsHHI's ``tpfp_single``: within a keyframe and class, detections in
decreasing score order take the GT pair with the highest ``min(IoU_p1,
IoU_p2)`` among the GT pairs not yet taken whose two IoUs both reach
``iou_thr`` (default 0.9); the class AP is the VOC area under the
precision envelope (MMAction2's AVA ``compute_precision_recall`` /
``compute_average_precision``), and mAP the mean over classes.
"""
from collections import defaultdict
from typing import Dict, Optional, Sequence

import numpy as np
from mmaction.evaluation.functional.ava_evaluation.metrics import (
    compute_average_precision, compute_precision_recall)
from mmaction.evaluation.functional.ava_evaluation.np_box_ops import iou


def pair_true_positives(det_p1: np.ndarray,
                        det_p2: np.ndarray,
                        gt_p1: np.ndarray,
                        gt_p2: np.ndarray,
                        iou_thr: float = 0.9) -> np.ndarray:
    """TP flags of detections (already in decreasing score order) of one
    keyframe and class, (N,) bool."""
    hits = np.zeros(len(det_p1), dtype=bool)
    if len(det_p1) == 0 or len(gt_p1) == 0:
        return hits
    iou_p1, iou_p2 = iou(det_p1, gt_p1), iou(det_p2, gt_p2)
    overlap = np.minimum(iou_p1, iou_p2)
    taken = np.zeros(len(gt_p1), dtype=bool)
    for det in range(len(det_p1)):
        for gt in np.argsort(-overlap[det], kind='stable'):
            if overlap[det, gt] < iou_thr:
                break
            if not taken[gt]:
                hits[det] = taken[gt] = True
                break
    return hits


def _frame_hits(det: Dict[str, np.ndarray], gt: Dict[str, np.ndarray],
                iou_thr: float, top_k: Optional[int]):
    """Per class: (scores, TP flags) of one keyframe's detections."""
    order = np.argsort(-det['scores'], kind='stable')
    if top_k is not None:
        order = order[:top_k]
    out = {}
    for label in np.unique(det['labels'][order]):
        pick = order[det['labels'][order] == label]
        mine = gt['labels'] == label
        out[int(label)] = (det['scores'][pick],
                           pair_true_positives(det['p1'][pick],
                                               det['p2'][pick], gt['p1'][mine],
                                               gt['p2'][mine], iou_thr))
    return out


def hhi_pair_evaluate(detections: Dict[str, Dict[str, np.ndarray]],
                      groundtruth: Dict[str, Dict[str, np.ndarray]],
                      classes: Sequence[int],
                      iou_thr: float = 0.9,
                      recall_at: Sequence[int] = (20, 50, 100, 150),
                      skip_undetected_classes: bool = False) -> dict:
    """mAP and Recall@K over keyframes.

    Args:
        detections (dict): Keyframe key -> ``p1`` (N, 4), ``p2`` (N, 4),
            ``labels`` (N,), ``scores`` (N,).
        groundtruth (dict): Keyframe key -> ``p1``, ``p2``, ``labels``.
            Only these keyframes are scored (the official
            ``ignore_empty_frames``).
        classes (Sequence[int]): Class labels scored.
        iou_thr (float): IoU both persons must reach. Defaults to 0.9.
        recall_at (Sequence[int]): K of Recall@K (top-K detections per
            keyframe, all classes; TP / all GT pairs). Defaults to
            (20, 50, 100, 150).
        skip_undetected_classes (bool): Leave classes without any detection
            out of the mean, as the official ``hhi_eval``; by default they
            count with AP 0.

    Returns:
        dict: ``mAP``, ``AP@<class>`` and ``recall@<K>``.
    """
    empty = dict(
        p1=np.zeros((0, 4)),
        p2=np.zeros((0, 4)),
        labels=np.zeros(0),
        scores=np.zeros(0))
    num_gt = {c: 0 for c in classes}
    for gt in groundtruth.values():
        for c in classes:
            num_gt[c] += int((gt['labels'] == c).sum())
    per_class = defaultdict(lambda: ([], []))
    for key, gt in groundtruth.items():
        for label, (scores, hits) in _frame_hits(
                detections.get(key, empty), gt, iou_thr, None).items():
            per_class[label][0].append(scores)
            per_class[label][1].append(hits)
    results = {'mAP': float('nan')}  # first: the runner's best metric
    aps = []
    for c in classes:
        if num_gt[c] == 0 or (skip_undetected_classes and c not in per_class):
            results[f'AP@{c}'] = float('nan')
            continue
        scores, hits = per_class[c]
        precision, recall = compute_precision_recall(
            np.concatenate(scores or [np.zeros(0)]).astype(np.float64),
            np.concatenate(hits or [np.zeros(0, bool)]), num_gt[c])
        results[f'AP@{c}'] = float(
            compute_average_precision(precision, recall))
        aps.append(results[f'AP@{c}'])
    results['mAP'] = float(np.mean(aps)) if aps else float('nan')
    total_gt = sum(num_gt.values())
    for k in recall_at:
        tp = sum(
            int(hits.sum()) for key, gt in groundtruth.items()
            for _, hits in _frame_hits(
                detections.get(key, empty), gt, iou_thr, k).values())
        results[f'recall@{k}'] = tp / total_gt if total_gt else float('nan')
    return results
