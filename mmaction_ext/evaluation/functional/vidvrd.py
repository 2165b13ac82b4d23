"""Video visual relation detection and tagging metrics (VidVRD protocol).

The protocol of github.com/xdshang/VidVRD-helper
(``evaluation/visual_relation_detection.py``, ``evaluation/common.py``), the
one RePro, OV-MMP and SAGE report:

* **detection** per video with at least one GT relation: predictions in
  descending score order (stable for ties) are matched greedily; a
  prediction takes, among the still unmatched GTs with the identical
  triplet, the one with the largest ``min(vIoU_sub, vIoU_obj)`` provided it
  is >= ``viou_threshold`` (first GT on ties); per-video VOC AP
  (all-point interpolated) of that ranking, ``mAP`` = mean over videos;
* **Recall@K**: the TPs among each video's first K predictions, summed
  over videos, over the total number of GTs;
* **tagging Precision@K**: per video, the predicted triplets de-duplicated
  in score order, hit when in the GT triplet set; precision at position
  ``min(K, #unique)`` (0 without predictions), mean over videos.

Matching computes vIoU for the prediction / GT pairs with identical
triplets only, all pairs of a video in one vectorised pass
(:func:`pair_viou`); :func:`relation_viou` gives the full matrix through
:func:`mmaction_ext.ops.trajectory_viou`. Relations are dicts as
:mod:`mmaction_ext.datasets.vidvrd_relations` returns them: ``triplet``,
``duration`` (begin, end exclusive), ``sub_traj`` / ``obj_traj`` (end -
begin, 4) and, for predictions, ``score``. The precision / recall curves
are float64 (VidVRD-helper accumulates them in float32).
"""
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np
import torch

from mmaction_ext.ops import trajectory_viou


def voc_ap(rec: np.ndarray, prec: np.ndarray) -> float:
    """All-point interpolated VOC AP of a (recall, precision) curve.

    Args:
        rec (ndarray): (N, ) non-decreasing recall.
        prec (ndarray): (N, ) precision at each rank.

    Returns:
        float: Area under the monotone precision envelope; 0 for N = 0.
    """
    mrec = np.concatenate(([0.], rec, [1.]))
    mpre = np.concatenate(([0.], prec, [0.]))
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    steps = np.flatnonzero(mrec[1:] != mrec[:-1])
    return float(np.sum((mrec[steps + 1] - mrec[steps]) * mpre[steps + 1]))


def pack_trajectories(relations: Sequence[dict], role: str):
    """Padded (N, L, 4) float64 boxes and (N, 2) spans of one role."""
    spans = np.array([rel['duration'] for rel in relations],
                     dtype=np.int64).reshape(-1, 2)
    length = int((spans[:, 1] - spans[:, 0]).max(initial=0))
    boxes = np.zeros((len(relations), length, 4))
    for i, rel in enumerate(relations):
        boxes[i, :len(rel[role])] = rel[role]
    return torch.from_numpy(boxes), torch.from_numpy(spans)


def relation_viou(preds: Sequence[dict], gts: Sequence[dict]) -> np.ndarray:
    """``min(vIoU_sub, vIoU_obj)`` of every prediction with every GT.

    Returns:
        ndarray: (P, G) float64.
    """
    if not preds or not gts:
        return np.zeros((len(preds), len(gts)))
    ious = []
    for role in ('sub_traj', 'obj_traj'):
        (boxes1, spans1), (boxes2, spans2) = (pack_trajectories(preds, role),
                                              pack_trajectories(gts, role))
        ious.append(trajectory_viou(boxes1, spans1, boxes2, spans2)[0].numpy())
    return np.minimum(*ious)


def _flat_role(relations: Sequence[dict], role: str):
    """One role's boxes of all relations stacked: (sum of lengths, 4)
    float64, each relation's first row and its (N, 2) spans."""
    spans = np.array([rel['duration'] for rel in relations],
                     dtype=np.int64).reshape(-1, 2)
    boxes = [np.asarray(rel[role], dtype=np.float64) for rel in relations]
    lengths = np.array([len(b) for b in boxes], dtype=np.int64)
    if not np.array_equal(lengths, spans[:, 1] - spans[:, 0]):
        bad = int(np.flatnonzero(lengths != spans[:, 1] - spans[:, 0])[0])
        raise ValueError(f'relation {bad}: {role} has {lengths[bad]} boxes '
                         f'for duration {spans[bad].tolist()}')
    boxes = np.concatenate(boxes).reshape(-1, 4) if boxes else \
        np.zeros((0, 4))
    if not np.isfinite(boxes).all() or (boxes[:, 2:] < boxes[:, :2]).any():
        raise ValueError(f'{role}: boxes must be finite with x2 >= x1 and '
                         'y2 >= y1')
    starts = np.cumsum(lengths) - lengths
    return boxes, starts, spans


def _box_areas(boxes: np.ndarray) -> np.ndarray:
    return (boxes[:, 2] - boxes[:, 0] + 1) * (boxes[:, 3] - boxes[:, 1] + 1)


def pair_viou(preds: Sequence[dict], gts: Sequence[dict], rows: np.ndarray,
              cols: np.ndarray) -> np.ndarray:
    """``min(vIoU_sub, vIoU_obj)`` of the pairs ``(preds[rows[k]],
    gts[cols[k]])``, over all their shared frames at once.

    The frames two trajectories share are laid end to end for all pairs;
    per-frame overlaps and per-trajectory volumes are summed by
    ``np.bincount`` in frame order (as a per-frame loop adds them).

    Args:
        preds (Sequence[dict]): P relations (``duration``, trajectories).
        gts (Sequence[dict]): G relations.
        rows (ndarray): (K, ) int indices into ``preds``.
        cols (ndarray): (K, ) int indices into ``gts``.

    Returns:
        ndarray: (K, ) float64.
    """
    out = np.full(len(rows), np.inf)
    for role in ('sub_traj', 'obj_traj'):
        boxes1, starts1, spans1 = _flat_role(preds, role)
        boxes2, starts2, spans2 = _flat_role(gts, role)
        begin = np.maximum(spans1[rows, 0], spans2[cols, 0])
        count = np.clip(
            np.minimum(spans1[rows, 1], spans2[cols, 1]) - begin, 0, None)
        pair = np.repeat(np.arange(len(rows)), count)
        frame = np.arange(int(count.sum())) - np.repeat(
            np.cumsum(count) - count, count) + begin[pair]
        a = boxes1[starts1[rows][pair] + frame - spans1[rows, 0][pair]]
        b = boxes2[starts2[cols][pair] + frame - spans2[cols, 0][pair]]
        wh = np.clip(
            np.minimum(a[:, 2:], b[:, 2:]) - np.maximum(a[:, :2], b[:, :2]) +
            1, 0, None)
        overlap = np.bincount(
            pair, weights=wh[:, 0] * wh[:, 1], minlength=len(rows))
        volume1 = np.bincount(
            np.repeat(np.arange(len(preds)), spans1[:, 1] - spans1[:, 0]),
            weights=_box_areas(boxes1),
            minlength=len(preds))
        volume2 = np.bincount(
            np.repeat(np.arange(len(gts)), spans2[:, 1] - spans2[:, 0]),
            weights=_box_areas(boxes2),
            minlength=len(gts))
        total = volume1[rows] + volume2[cols] - overlap
        out = np.minimum(out, overlap / total)
    return out


def score_order(preds: Sequence[dict]) -> np.ndarray:
    """Indices of ``preds`` by descending score, ties in input order."""
    scores = np.array([p['score'] for p in preds], dtype=np.float64)
    return np.argsort(-scores, kind='stable')


def match_detections(gts: Sequence[dict],
                     preds: Sequence[dict],
                     viou_threshold: float = 0.5) -> np.ndarray:
    """Greedy TP flags of the predictions of one video, in score order.

    Args:
        gts (Sequence[dict]): G ground-truth relations.
        preds (Sequence[dict]): P predicted relations.
        viou_threshold (float): Minimum ``min(vIoU_sub, vIoU_obj)``.
            Defaults to 0.5.

    Returns:
        ndarray: (P, ) bool, entry k for the k-th highest-scored prediction.
    """
    order = score_order(preds)
    preds = [preds[i] for i in order]
    hits = np.zeros(len(preds), dtype=bool)
    gt_index = {}
    for g, gt in enumerate(gts):
        gt_index.setdefault(tuple(gt['triplet']), []).append(g)
    # vIoU only within each triplet: other pairs can never match
    ov = np.full((len(preds), len(gts)), -np.inf)
    pairs = [(i, g) for i, pred in enumerate(preds)
             for g in gt_index.get(tuple(pred['triplet']), ())]
    if pairs:
        rows, cols = np.array(pairs, dtype=np.int64).T
        ov[rows, cols] = pair_viou(preds, gts, rows, cols)
    ov[ov < viou_threshold] = -np.inf
    free = np.ones(len(gts), dtype=bool)
    for r in np.flatnonzero(np.isfinite(ov).any(1)):
        scores = np.where(free, ov[r], -np.inf)
        best = int(np.argmax(scores))
        if np.isfinite(scores[best]):
            hits[r] = True
            free[best] = False
    return hits


def detection_ap(hits: np.ndarray, num_gt: int) -> float:
    """Per-video VOC AP of TP flags in score order against ``num_gt``."""
    cum_tp = np.cumsum(hits, dtype=np.float64)
    rec = cum_tp / max(num_gt, 1)
    prec = cum_tp / np.arange(1, len(hits) + 1)
    return voc_ap(rec, prec)


def tagging_hits(gts: Sequence[dict], preds: Sequence[dict]) -> np.ndarray:
    """Hit flags of the de-duplicated predicted triplets, in score order."""
    gt_triplets = {tuple(gt['triplet']) for gt in gts}
    seen, hits = set(), []
    for i in score_order(preds):
        triplet = tuple(preds[i]['triplet'])
        if triplet not in seen:
            seen.add(triplet)
            hits.append(triplet in gt_triplets)
    return np.array(hits, dtype=bool)


def tagging_precision(hits: np.ndarray, k: int) -> float:
    """Precision at position ``min(k, len(hits))``; 0 without hits."""
    cut = min(k, len(hits))
    return float(hits[:cut].mean()) if cut else 0.


def filter_relations(
        relations: Dict[str, List[dict]],
        objects: Optional[Iterable[str]] = None,
        predicates: Optional[Iterable[str]] = None) -> Dict[str, List[dict]]:
    """Keep relations whose subject and object are in ``objects`` and
    predicate in ``predicates`` (None keeps all); videos stay, maybe
    emptied."""
    objects = None if objects is None else set(objects)
    predicates = None if predicates is None else set(predicates)

    def keep(triplet):
        sub, pred, obj = triplet
        return (objects is None or (sub in objects and obj in objects)) \
            and (predicates is None or pred in predicates)

    return {
        vid: [rel for rel in rels if keep(rel['triplet'])]
        for vid, rels in relations.items()
    }


def evaluate_relations(
    groundtruth: Dict[str, List[dict]],
    predictions: Dict[str, List[dict]],
    viou_threshold: float = 0.5,
    recall_k: Sequence[int] = (50, 100),
    precision_k: Sequence[int] = (1, 5, 10)
) -> dict:
    """Relation detection mAP, Recall@K and tagging Precision@K.

    Videos without GT relations are skipped (as VidVRD-helper does);
    predictions of videos absent from ``groundtruth`` are not scored and
    are listed under ``unscored_videos``.

    Args:
        groundtruth (dict[str, list[dict]]): Relations per video.
        predictions (dict[str, list[dict]]): Scored relations per video;
            a video without an entry has no predictions.
        viou_threshold (float): Matching threshold. Defaults to 0.5.
        recall_k (Sequence[int]): K of Recall@K. Defaults to (50, 100).
        precision_k (Sequence[int]): K of tagging Precision@K.
            Defaults to (1, 5, 10).

    Returns:
        dict: ``mAP``, ``R@K``, ``P@K`` as fractions, ``video_ap``
        (per-video AP), ``num_videos``, ``num_gt`` and
        ``unscored_videos``.
    """
    video_ap, tag_prec = {}, {k: [] for k in precision_k}
    recall_tp = {k: 0 for k in recall_k}
    num_gt = 0
    for vid, gts in groundtruth.items():
        if not gts:
            continue
        preds = predictions.get(vid, [])
        hits = match_detections(gts, preds, viou_threshold)
        num_gt += len(gts)
        video_ap[vid] = detection_ap(hits, len(gts))
        for k in recall_k:
            recall_tp[k] += int(hits[:k].sum())
        tags = tagging_hits(gts, preds)
        for k in precision_k:
            tag_prec[k].append(tagging_precision(tags, k))
    if not video_ap:
        raise ValueError('no video has a ground-truth relation to evaluate')
    result = dict(mAP=float(np.mean(list(video_ap.values()))))
    result.update({f'R@{k}': recall_tp[k] / num_gt for k in recall_k})
    result.update({f'P@{k}': float(np.mean(tag_prec[k])) for k in precision_k})
    result.update(
        video_ap=video_ap,
        num_videos=len(video_ap),
        num_gt=num_gt,
        unscored_videos=sorted(set(predictions) - set(groundtruth)))
    return result
