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

:func:`evaluate_relations` matches many videos together
(:func:`.vidvrd_matching.greedy_matches`): vIoU only for the prediction /
GT pairs with identical triplets whose GT is still unmatched (and, with a
threshold above 0, whose spans meet), in a few numpy passes; the tagging
metrics are counted over all videos at once. :func:`relation_viou` gives
the full matrix through :func:`mmaction_ext.ops.trajectory_viou`.
Relations are dicts as
:mod:`mmaction_ext.datasets.vidvrd_relations` returns them: ``triplet``,
``duration`` (begin, end exclusive), ``sub_traj`` / ``obj_traj`` (end -
begin, 4) and, for predictions, ``score``. The precision / recall curves
are float64 (VidVRD-helper accumulates them in float32).
"""
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np
import torch

from mmaction_ext.ops import trajectory_viou
from .vidvrd_matching import PairOverlaps, greedy_matches

# predictions matched together: enough videos to amortise numpy's per-call
# cost, few enough that their boxes stay in the CPU caches
MATCH_CHUNK = 3000


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


def pair_viou(preds: Sequence[dict], gts: Sequence[dict], rows: np.ndarray,
              cols: np.ndarray) -> np.ndarray:
    """``min(vIoU_sub, vIoU_obj)`` of the pairs ``(preds[rows[k]],
    gts[cols[k]])``, all pairs' shared frames in one numpy pass.

    Args:
        preds (Sequence[dict]): P relations (``duration``, trajectories).
        gts (Sequence[dict]): G relations.
        rows (ndarray): (K, ) int indices into ``preds``.
        cols (ndarray): (K, ) int indices into ``gts``.

    Returns:
        ndarray: (K, ) float64.
    """
    return PairOverlaps(preds, gts, -np.inf)(rows, cols)


def score_order(preds: Sequence[dict]) -> np.ndarray:
    """Indices of ``preds`` by descending score, ties in input order."""
    scores = np.array([p['score'] for p in preds], dtype=np.float64)
    return np.argsort(-scores, kind='stable')


def triplet_keys(relations: Sequence[dict], ids: Dict[tuple,
                                                      int]) -> np.ndarray:
    """(N, ) int64 number of each relation's triplet in ``ids``, which
    numbers new triplets on."""
    return np.fromiter((ids.setdefault(tuple(rel['triplet']), len(ids))
                        for rel in relations), np.int64, len(relations))


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
    preds = [preds[i] for i in score_order(preds)]
    ids: Dict[tuple, int] = {}
    gt_keys = triplet_keys(gts, ids)
    return greedy_matches(preds, triplet_keys(preds, ids), gts, gt_keys,
                          viou_threshold)


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
    videos = [vid for vid, gts in groundtruth.items() if gts]
    if not videos:
        raise ValueError('no video has a ground-truth relation to evaluate')
    gts, preds, gt_count, pred_count = [], [], [], []
    for vid in videos:
        video_preds = predictions.get(vid, [])
        gts.extend(groundtruth[vid])
        preds.extend(video_preds[i] for i in score_order(video_preds))
        gt_count.append(len(groundtruth[vid]))
        pred_count.append(len(video_preds))
    ids: Dict[tuple, int] = {}
    gt_keys, pred_keys = triplet_keys(gts, ids), triplet_keys(preds, ids)
    # (video, triplet) keys: matching and tagging stay within a video
    gt_video = np.repeat(np.arange(len(videos)), gt_count)
    pred_video = np.repeat(np.arange(len(videos)), pred_count)
    gt_keys += gt_video * len(ids)
    pred_keys += pred_video * len(ids)
    first = np.cumsum(pred_count) - pred_count
    gt_first = np.cumsum(gt_count) - gt_count
    hits = np.zeros(len(preds), dtype=bool)
    for start, stop in _chunks(pred_count, MATCH_CHUNK):
        preds_in = slice(first[start], first[stop - 1] + pred_count[stop - 1])
        gts_in = slice(gt_first[start],
                       gt_first[stop - 1] + gt_count[stop - 1])
        hits[preds_in] = greedy_matches(preds[preds_in], pred_keys[preds_in],
                                        gts[gts_in], gt_keys[gts_in],
                                        viou_threshold)
    video_ap = {
        vid: detection_ap(hits[start:start + count], num)
        for vid, start, count, num in zip(videos, first, pred_count, gt_count)
    }
    rank = np.arange(len(preds)) - np.repeat(first, pred_count)
    num_gt = len(gts)
    result = dict(mAP=float(np.mean(list(video_ap.values()))))
    result.update({
        f'R@{k}': int(np.count_nonzero(hits & (rank < k))) / num_gt
        for k in recall_k
    })
    tags = _tagging_precisions(pred_keys, pred_video, gt_keys, len(videos),
                               precision_k)
    result.update({f'P@{k}': tags[k] for k in precision_k})
    result.update(
        video_ap=video_ap,
        num_videos=len(video_ap),
        num_gt=num_gt,
        unscored_videos=sorted(set(predictions) - set(groundtruth)))
    return result


def _chunks(counts: Sequence[int], size: int):
    """(start, stop) ranges of consecutive items whose counts sum to about
    ``size`` (at least one item each)."""
    start, total = 0, 0
    for i, count in enumerate(counts):
        total += count
        if total >= size:
            yield start, i + 1
            start, total = i + 1, 0
    if start < len(counts):
        yield start, len(counts)


def _tagging_precisions(pred_keys: np.ndarray, pred_video: np.ndarray,
                        gt_keys: np.ndarray, num_videos: int,
                        precision_k: Sequence[int]) -> Dict[int, float]:
    """Mean over videos of :func:`tagging_precision` at each K, from the
    (video, triplet) keys of the predictions (grouped by video, each in
    score order) and of the GTs."""
    _, first_seen = np.unique(pred_keys, return_index=True)
    unique = np.zeros(len(pred_keys), dtype=bool)
    unique[first_seen] = True
    num_unique = np.bincount(pred_video[unique], minlength=num_videos)
    # position of each unique triplet among its video's unique triplets
    before = np.cumsum(num_unique) - num_unique
    position = np.cumsum(unique) - 1 - before[pred_video]
    hit = unique & np.isin(pred_keys, gt_keys)
    out = {}
    for k in precision_k:
        cut = np.minimum(num_unique, k)
        count = np.bincount(
            pred_video[hit & (position < k)], minlength=num_videos)
        out[k] = float(
            np.mean(np.where(cut > 0, count / np.maximum(cut, 1), 0.)))
    return out
