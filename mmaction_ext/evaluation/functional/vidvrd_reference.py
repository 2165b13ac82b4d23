"""A straightforward reference of the VidVRD relation detection protocol.

Loops over frames, predictions and GTs, following the protocol text of
github.com/xdshang/VidVRD-helper (``evaluation/common.py`` and
``evaluation/visual_relation_detection.py``) with its own per-frame vIoU,
so it shares no code with :mod:`.vidvrd` (which is vectorised:
:mod:`.vidvrd_matching`). The tests check the two agree on random cases and
``benchmarks/vidvrd_eval.py`` times them side by side; use :mod:`.vidvrd`
for real evaluation.

Relations are dicts with ``triplet``, ``duration`` (begin, end exclusive),
``sub_traj`` / ``obj_traj`` (lists of ``[x1, y1, x2, y2]``) and, for
predictions, ``score``.
"""
import math


def viou(traj1, dur1, traj2, dur2):
    """vIoU of two trajectories with spans ``dur1`` / ``dur2``."""
    if dur1[1] <= dur2[0] or dur2[1] <= dur1[0]:
        return 0.
    overlap = 0.
    for fid in range(max(dur1[0], dur2[0]), min(dur1[1], dur2[1])):
        a, b = traj1[fid - dur1[0]], traj2[fid - dur2[0]]
        w = max(0., min(a[2], b[2]) - max(a[0], b[0]) + 1)
        h = max(0., min(a[3], b[3]) - max(a[1], b[1]) + 1)
        overlap += w * h
    vol1 = sum((x2 - x1 + 1) * (y2 - y1 + 1) for x1, y1, x2, y2 in traj1)
    vol2 = sum((x2 - x1 + 1) * (y2 - y1 + 1) for x1, y1, x2, y2 in traj2)
    return overlap / (vol1 + vol2 - overlap)


def voc_ap(rec, prec):
    """All-point interpolated VOC AP of recall / precision lists."""
    mrec = [0.] + list(rec) + [1.]
    mpre = [0.] + list(prec) + [0.]
    for i in range(len(mpre) - 1, 0, -1):
        mpre[i - 1] = max(mpre[i - 1], mpre[i])
    return sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]
               for i in range(len(mrec) - 1) if mrec[i + 1] != mrec[i])


def evaluate_video(gts, preds, thr):
    """Hits in score order, detection AP and tagging hits of a video."""
    preds = sorted(preds, key=lambda p: p['score'], reverse=True)
    detected = [False] * len(gts)
    hits = []
    for p in preds:
        best, best_ov = -1, -math.inf
        for g, gt in enumerate(gts):
            if detected[g] or tuple(p['triplet']) != tuple(gt['triplet']):
                continue
            ov = min(
                viou(p['sub_traj'], p['duration'], gt['sub_traj'],
                     gt['duration']),
                viou(p['obj_traj'], p['duration'], gt['obj_traj'],
                     gt['duration']))
            if ov >= thr and ov > best_ov:
                best, best_ov = g, ov
        hits.append(best >= 0)
        if best >= 0:
            detected[best] = True
    tp = 0
    rec, prec = [], []
    for k, hit in enumerate(hits):
        tp += hit
        rec.append(tp / len(gts))
        prec.append(tp / (k + 1))
    tags, triplets = [], []
    gt_triplets = {tuple(gt['triplet']) for gt in gts}
    for p in preds:
        if tuple(p['triplet']) not in triplets:
            triplets.append(tuple(p['triplet']))
            tags.append(tuple(p['triplet']) in gt_triplets)
    return hits, voc_ap(rec, prec), tags


def evaluate(groundtruth, predictions, thr=0.5):
    """mAP, R@50/100 and P@1/5/10 over ``{video_id: [relations]}``."""
    aps, tp_at, prec_at, num_gt = [], {
        50: 0,
        100: 0
    }, {
        1: [],
        5: [],
        10: []
    }, 0
    for vid, gts in groundtruth.items():
        if not gts:
            continue
        hits, ap, tags = evaluate_video(gts, predictions.get(vid, []), thr)
        aps.append(ap)
        num_gt += len(gts)
        for k in tp_at:
            tp_at[k] += sum(hits[:k])
        for k in prec_at:
            cut = min(k, len(tags))
            prec_at[k].append(sum(tags[:cut]) / cut if cut else 0.)
    out = {'mAP': sum(aps) / len(aps)}
    out.update({f'R@{k}': v / num_gt for k, v in tp_at.items()})
    out.update({f'P@{k}': sum(v) / len(v) for k, v in prec_at.items()})
    return out
