"""ProDA evaluation (pure numpy): Charades mAP, a_s mAP by label count,
frame-level localization mAP from the readout's frame weights s."""
from collections import defaultdict
from typing import Dict, List, Sequence, Tuple

import numpy as np
from mmaction.evaluation.functional import mean_average_precision

from .vidvrd import voc_ap


def charades_map(scores: np.ndarray, labels: np.ndarray) -> float:
    """Charades mAP: AP per class over the classes with a positive.

    MMAction2's ``mean_average_precision`` (per class over the samples,
    classes without positives give NaN and are skipped), the protocol of
    the Charades evaluation script. (``mmit_mean_average_precision``
    averages per sample instead and is not the Charades protocol.)

    Args:
        scores (ndarray): (V, C) scores.
        labels (ndarray): (V, C) multi-hot.

    Returns:
        float: mAP in [0, 1]; NaN if no class has a positive.
    """
    scores, labels = np.asarray(scores, float), np.asarray(labels)
    if scores.shape != labels.shape or scores.ndim != 2:
        raise ValueError(f'scores {scores.shape} and labels {labels.shape} '
                         'must both be (V, C)')
    with np.errstate(invalid='ignore', divide='ignore'):
        return float(mean_average_precision(list(scores), list(labels)))


def spec_targets(specs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """a_s targets (S, C + 1): true actions inside each SAP, no-action last.

    Args:
        specs (ndarray): bool (S, C).
        labels (ndarray): multi-hot (C, ) of the video.
    """
    inside = specs & (np.asarray(labels) > 0)[None]
    return np.concatenate([inside, ~inside.any(1, keepdims=True)], 1)


def map_by_label_count(
        groups: Dict[int, Tuple[List, List]]) -> Dict[int, float]:
    """a_s mAP per video label count (ProDA Tables 6-7).

    Args:
        groups (dict): label count L -> (list of a_s scores (S, C + 1),
            list of a_s targets (S, C + 1)) of the videos with L labels.

    Returns:
        dict: L -> Charades-style mAP over those SAPs.
    """
    return {
        count: charades_map(np.concatenate(s), np.concatenate(t))
        for count, (s, t) in sorted(groups.items())
    }


def frame_labels(frame_inds: Sequence[int],
                 segments: Sequence[Tuple[int, float, float]],
                 num_classes: int) -> np.ndarray:
    """Project action segments onto sampled frames.

    Args:
        frame_inds (Sequence[int]): (N, ) sampled frame indices.
        segments (Sequence): ``(label, start_frame, stop_frame)`` in the
            numbering of ``frame_inds``, a frame ``f`` inside when
            ``start_frame <= f < stop_frame`` (the ``action_segments`` of
            :class:`SceneGraphVideoDataset`).
        num_classes (int): C.

    Returns:
        ndarray: bool (N, C), True where the frame lies in a segment.
    """
    inds = np.asarray(frame_inds, float)
    out = np.zeros((len(inds), num_classes), bool)
    for label, start, end in segments:
        out[(inds >= start) & (inds < end), int(label)] = True
    return out


def runs(binary: np.ndarray) -> List[Tuple[int, int]]:
    """Runs of True as (start, end) frame positions, end exclusive."""
    padded = np.concatenate([[0], np.asarray(binary, np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def normalize_weights(s: np.ndarray) -> np.ndarray:
    """Min-max normalize frame weights to [0, 1] (constant s -> all 1)."""
    s = np.asarray(s, float)
    span = s.max() - s.min()
    return np.ones_like(s) if span <= 0 else (s - s.min()) / span


def temporal_iou(a: Tuple[int, int], b: Tuple[int, int]) -> float:
    """IoU of two end-exclusive frame intervals."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def localization_map(detections: Dict[int, List[Tuple[float, str, tuple]]],
                     groundtruth: Dict[int, Dict[str, List[tuple]]],
                     iou_thr: float) -> float:
    """Frame-level segment mAP over classes with ground truth.

    Args:
        detections (dict): class -> list of (score, key, (start, end)).
        groundtruth (dict): class -> {key: [(start, end), ...]}.
        iou_thr (float): A detection matches an unmatched ground-truth
            segment of the same key and class with IoU >= iou_thr.

    Returns:
        float: mean VOC (all-point) AP; NaN without ground truth.
    """
    aps = []
    for cls, per_key in groundtruth.items():
        total = sum(len(v) for v in per_key.values())
        if not total:
            continue
        used = {k: np.zeros(len(v), bool) for k, v in per_key.items()}
        dets = sorted(detections.get(cls, []), key=lambda d: -d[0])
        tp = np.zeros(len(dets))
        for i, (_, key, seg) in enumerate(dets):
            gts = per_key.get(key, [])
            ious = [temporal_iou(seg, g) for g in gts]
            best = int(np.argmax(ious)) if ious else -1
            if best >= 0 and ious[best] >= iou_thr and not used[key][best]:
                used[key][best] = True
                tp[i] = 1
        hits = np.cumsum(tp)
        precision = hits / np.arange(1, len(dets) + 1)
        aps.append(voc_ap(hits / total, precision))
    return float(np.mean(aps)) if aps else float('nan')


def localization_inputs(videos: Sequence[dict], theta: float,
                        distractor: bool) -> Tuple[dict, dict]:
    """Detections and ground truth for :func:`localization_map`.

    For each SAP of the wanted kind, the runs where the normalized frame
    weights exceed ``theta`` are detections of every class the SAP
    specifies and the video holds, scored by a_s of that class; the ground
    truth is each such class's segments projected on the sampled frames.

    Args:
        videos (Sequence[dict]): per video ``key``, ``specs`` bool (S, C),
            ``spec_scores`` (S, C + 1), ``distractor`` bool (S, ),
            ``frame_weights`` (S, N), ``frame_gt`` bool (N, C).
        theta (float): Threshold on the normalized s.
        distractor (bool): Use distractor-injected SAPs, else clean ones.
    """
    dets, gts = defaultdict(list), defaultdict(dict)
    for video in videos:
        present = video['frame_gt'].any(0)
        for row in np.flatnonzero(video['distractor'] == distractor):
            key = f'{video["key"]}#{row}'
            segments = runs(
                normalize_weights(video['frame_weights'][row]) > theta)
            for cls in np.flatnonzero(video['specs'][row] & present):
                gts[cls][key] = runs(video['frame_gt'][:, cls])
                score = float(video['spec_scores'][row, cls])
                dets[cls].extend((score, key, seg) for seg in segments)
    return dets, gts
