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

vIoU is :func:`mmaction_ext.ops.trajectory_viou`. Relations are dicts as
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
    pred_index = {}
    for i, pred in enumerate(preds):
        pred_index.setdefault(tuple(pred['triplet']), []).append(i)
    for triplet, rows in pred_index.items():
        cols = gt_index.get(triplet)
        if cols:
            ov[np.ix_(rows, cols)] = relation_viou(
                [preds[i] for i in rows], [gts[g] for g in cols])
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
