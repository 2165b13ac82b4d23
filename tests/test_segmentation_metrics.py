"""Segmentation metrics against independent, deliberately naive references.

The references below loop over frames / segment pairs with plain Python and
share no code with ``mmaction_ext.evaluation.functional.segmentation``.
"""
from collections import Counter

import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement

from mmaction.registry import METRICS
from mmaction_ext.evaluation.functional import (
    boundary_starts, edit_score, f1_score, frame_accuracy, get_segments,
    levenshtein, precision_recall_f1, refine_with_boundaries, segment_counts)

# ----------------------------------------------------------------------------
# Independent references
# ----------------------------------------------------------------------------


def ref_segments(labels, bg=(), ignore=255):
    """Segments by walking the frames one at a time."""
    segments, current = [], None
    for t, label in enumerate(list(labels) + [None]):
        if current is not None and label != current[0]:
            if current[0] not in bg and current[0] != ignore:
                segments.append((current[0], current[1], t))
            current = None
        if current is None and label is not None:
            current = (int(label), t)
    return segments


def ref_drop_ignored(pred, gt, ignore=255):
    keep = [t for t in range(len(gt)) if gt[t] != ignore]
    return [int(pred[t]) for t in keep], [int(gt[t]) for t in keep]


def ref_levenshtein(a, b):
    """Full (len(a)+1) x (len(b)+1) table, filled column by column."""
    table = np.zeros((len(a) + 1, len(b) + 1), dtype=int)
    table[:, 0] = np.arange(len(a) + 1)
    table[0, :] = np.arange(len(b) + 1)
    for j in range(1, len(b) + 1):
        for i in range(1, len(a) + 1):
            substitute = table[i - 1, j - 1] + int(a[i - 1] != b[j - 1])
            table[i, j] = min(substitute, table[i - 1, j] + 1,
                              table[i, j - 1] + 1)
    return int(table[-1, -1])


def ref_accuracy(preds, gts, ignore=255):
    correct = total = 0
    for pred, gt in zip(preds, gts):
        pred, gt = ref_drop_ignored(pred, gt, ignore)
        total += len(gt)
        correct += sum(p == g for p, g in zip(pred, gt))
    return 100.0 * correct / total


def ref_edit(preds, gts, bg=(), ignore=255):
    scores = []
    for pred, gt in zip(preds, gts):
        pred, gt = ref_drop_ignored(pred, gt, ignore)
        p = [s[0] for s in ref_segments(pred, bg)]
        g = [s[0] for s in ref_segments(gt, bg)]
        if not p and not g:
            scores.append(100.0)
        else:
            scores.append(100 *
                          (1 - ref_levenshtein(p, g) / max(len(p), len(g))))
    return sum(scores) / len(scores)


def ref_counts(pred, gt, overlap, bg=()):
    """Greedy matching with IoUs from explicit frame sets over all pairs."""
    p_segs, g_segs = ref_segments(pred, bg), ref_segments(gt, bg)
    used = [False] * len(g_segs)
    tp = fp = 0
    for p_label, p_start, p_end in p_segs:
        p_frames = set(range(p_start, p_end))
        best_iou, best_j = 0.0, None
        for j, (g_label, g_start, g_end) in enumerate(g_segs):
            g_frames = set(range(g_start, g_end))
            iou = 0.0
            if g_label == p_label:
                iou = len(p_frames & g_frames) / len(p_frames | g_frames)
            if best_j is None or iou > best_iou:
                best_iou, best_j = iou, j
        if best_j is not None and best_iou >= overlap and not used[best_j]:
            used[best_j] = True
            tp += 1
        else:
            fp += 1
    return tp, fp, used.count(False)


def ref_f1(preds, gts, overlap, bg=(), ignore=255):
    tp = fp = fn = 0
    for pred, gt in zip(preds, gts):
        counts = ref_counts(*ref_drop_ignored(pred, gt, ignore), overlap, bg)
        tp, fp, fn = tp + counts[0], fp + counts[1], fn + counts[2]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    if precision + recall == 0:
        return 0.0
    return 100 * 2 * precision * recall / (precision + recall)


def ref_refine(scores, logits, threshold=0.5):
    scores = np.asarray(scores, dtype=float)
    n_frames = scores.shape[1]
    prob = [1 / (1 + np.exp(-x)) for x in logits]
    prob = [p if p >= threshold else 0.0 for p in prob]
    starts = [0] + [
        t for t in range(1, n_frames - 1)
        if prob[t] > prob[t - 1] and prob[t] > prob[t + 1]
    ]
    bounds = starts + [n_frames]
    argmax = [int(np.argmax(scores[:, t])) for t in range(n_frames)]
    out = []
    for start, end in zip(bounds[:-1], bounds[1:]):
        counts = Counter(argmax[start:end])
        top = max(counts.values())
        tied = sorted(c for c, n in counts.items() if n == top)
        best = max(tied, key=lambda c: (scores[c, start:end].sum(), -c))
        out += [best] * (end - start)
    return np.array(out)


def random_labels(rng, n_frames, n_classes, max_run=6):
    """Piecewise-constant random labels (realistic runs)."""
    labels = []
    while len(labels) < n_frames:
        labels += [int(rng.integers(n_classes))] * int(
            rng.integers(1, max_run + 1))
    return np.array(labels[:n_frames])


def random_pairs(seed, n_seqs=6, n_classes=4, with_ignore=False):
    rng = np.random.default_rng(seed)
    preds, gts = [], []
    for _ in range(n_seqs):
        n_frames = int(rng.integers(1, 40))
        gt = random_labels(rng, n_frames, n_classes)
        pred = gt.copy()
        noisy = rng.random(n_frames) < 0.3
        pred[noisy] = rng.integers(n_classes, size=int(noisy.sum()))
        if with_ignore:
            gt[int(rng.integers(n_frames)):] = 255  # padding tail
        preds.append(pred)
        gts.append(gt)
    return preds, gts


# ----------------------------------------------------------------------------
# Segments and Levenshtein
# ----------------------------------------------------------------------------


def test_get_segments_hand_made():
    assert get_segments([]) == []
    assert get_segments([3]) == [(3, 0, 1)]
    assert get_segments([0, 0, 1, 1, 2]) == [(0, 0, 2), (1, 2, 4), (2, 4, 5)]
    labels = [0, 0, 1, 255, 255, 1, 0]
    assert get_segments(labels) == [(0, 0, 2), (1, 2, 3), (1, 5, 6), (0, 6, 7)]
    assert get_segments(labels, bg_class=(0, )) == [(1, 2, 3), (1, 5, 6)]
    assert get_segments(labels, ignore_index=None)[2] == (255, 3, 5)


@pytest.mark.parametrize('seed', range(5))
def test_get_segments_random(seed):
    rng = np.random.default_rng(seed)
    labels = random_labels(rng, 50, 4, max_run=4)
    labels[rng.random(50) < 0.1] = 255
    for bg in ((), (0, ), (1, 3)):
        assert get_segments(labels, bg) == ref_segments(labels, bg)


def test_levenshtein():
    assert levenshtein('kitten', 'sitting') == 3
    assert levenshtein([], [1, 2]) == 2
    rng = np.random.default_rng(0)
    for _ in range(30):
        a = list(rng.integers(3, size=int(rng.integers(0, 8))))
        b = list(rng.integers(3, size=int(rng.integers(0, 8))))
        assert levenshtein(a, b) == ref_levenshtein(a, b)


# ----------------------------------------------------------------------------
# Hand-made cases with known answers
# ----------------------------------------------------------------------------


def test_shifted_boundary_case():
    # segments pred (0,0,2) (1,2,4) (2,4,5); gt (0,0,3) (1,3,4) (2,4,5)
    # IoUs 2/3, 1/2, 1
    preds, gts = [np.array([0, 0, 1, 1, 2])], [np.array([0, 0, 0, 1, 2])]
    assert frame_accuracy(preds, gts) == pytest.approx(80.0)
    assert edit_score(preds, gts) == pytest.approx(100.0)
    for overlap in (0.1, 0.25, 0.5):
        assert f1_score(preds, gts, overlap) == pytest.approx(100.0)
    # at 0.75 only the last segment matches: tp 1, fp 2, fn 2
    assert segment_counts(preds, gts, 0.75) == (1, 2, 2)
    assert precision_recall_f1(preds, gts, 0.75) == pytest.approx(
        (100 / 3, 100 / 3, 100 / 3))


def test_over_segmentation_case():
    # pred segments 1, 2, 1 against a single gt segment of class 1
    preds, gts = [np.array([1, 1, 2, 1, 1, 1])], [np.ones(6, dtype=int)]
    assert frame_accuracy(preds, gts) == pytest.approx(500 / 6)
    assert edit_score(preds, gts) == pytest.approx(100 / 3)  # 1 - 2/3
    # @0.1: first piece (IoU 1/3) is TP, the class-2 piece FP, the last
    # piece (IoU 1/2) hits the already matched gt -> FP. P 1/3, R 1.
    assert segment_counts(preds, gts, 0.1) == (1, 2, 0)
    assert f1_score(preds, gts, 0.1) == pytest.approx(50.0)
    # @0.5: first piece FP (1/3 < 1/2), last piece TP
    assert segment_counts(preds, gts, 0.5) == (1, 2, 0)
    assert f1_score(preds, gts, 0.75) == 0.0


def test_background_case():
    preds, gts = [np.array([0, 1, 0, 1])], [np.array([1, 1, 1, 1])]
    assert frame_accuracy(preds, gts) == 50.0
    # without bg: [0, 1, 0, 1] vs [1] -> 3 edits / 4
    assert edit_score(preds, gts) == pytest.approx(25.0)
    # class 0 dropped: [1, 1] vs [1] -> 1 edit / 2
    assert edit_score(preds, gts, bg_class=(0, )) == pytest.approx(50.0)
    # bg only on both sides: no segments at all -> Edit 100 by convention
    only_bg = [np.zeros(5, dtype=int)]
    assert edit_score(only_bg, only_bg, bg_class=(0, )) == 100.0
    assert f1_score(only_bg, only_bg, 0.1, bg_class=(0, )) == 0.0
    assert frame_accuracy(only_bg, only_bg) == 100.0


def test_ignore_index():
    # ignored gt frames are dropped from both and the rest is joined up
    preds = [np.array([0, 1, 1, 3]), np.array([1, 2, 1])]
    gts = [np.array([0, 1, 255, 255]), np.array([1, 255, 1])]
    assert frame_accuracy(preds, gts) == 100.0
    assert edit_score(preds, gts) == 100.0
    assert f1_score(preds, gts, 0.5) == 100.0
    assert frame_accuracy(
        preds, gts, ignore_index=None) == pytest.approx(400 / 7)
    assert frame_accuracy(
        preds, [np.full(4, 9), np.full(3, 9)],
        ignore_index=9) == 0.0  # no valid frame


def test_f1_pools_counts_over_sequences():
    preds = [np.zeros(4, dtype=int), np.array([1, 2, 3, 4])]
    gts = [np.zeros(4, dtype=int), np.full(4, 5)]
    per_sequence = [f1_score([p], [g], 0.5) for p, g in zip(preds, gts)]
    assert per_sequence == [100.0, 0.0]
    # pooled: tp 1, fp 4, fn 1 -> P 1/5, R 1/2, F1 2/7
    assert segment_counts(preds, gts, 0.5) == (1, 4, 1)
    assert f1_score(preds, gts, 0.5) == pytest.approx(200 / 7)
    assert f1_score(preds, gts, 0.5) != pytest.approx(np.mean(per_sequence))
    # accuracy pools frames too: 4/8 frames, not the mean of 100 and 0
    preds[0] = np.zeros(12, dtype=int)
    gts[0] = np.zeros(12, dtype=int)
    assert frame_accuracy(preds, gts) == pytest.approx(75.0)


# ----------------------------------------------------------------------------
# Random sequences against the references
# ----------------------------------------------------------------------------


@pytest.mark.parametrize('seed', range(6))
@pytest.mark.parametrize('with_ignore', [False, True])
def test_metrics_match_reference_on_random_sequences(seed, with_ignore):
    preds, gts = random_pairs(seed, with_ignore=with_ignore)
    if with_ignore:  # keep at least one valid frame per list
        gts[0][0] = preds[0][0]
    assert frame_accuracy(preds,
                          gts) == pytest.approx(ref_accuracy(preds, gts))
    for bg in ((), (0, )):
        assert edit_score(preds, gts,
                          bg) == pytest.approx(ref_edit(preds, gts, bg))
        for overlap in (0.1, 0.25, 0.5, 0.75, 0.9):
            assert f1_score(preds, gts, overlap, bg) == pytest.approx(
                ref_f1(preds, gts, overlap, bg))


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------


@pytest.mark.parametrize('fn', [
    frame_accuracy, edit_score, lambda p, g: f1_score(p, g, 0.5),
    lambda p, g: segment_counts(p, g, 0.1)
])
def test_length_mismatch_errors(fn):
    good = np.zeros(4, dtype=int)
    with pytest.raises(ValueError, match='2 predicted .* 1 ground-truth'):
        fn([good, good], [good])
    with pytest.raises(ValueError, match='Sequence 1: .* 3 frames .* 4'):
        fn([good, good[:3]], [good, good])


def test_bad_inputs():
    with pytest.raises(ValueError, match=r'preds\[0\] must be 1-D'):
        frame_accuracy([np.zeros((2, 3), dtype=int)], [np.zeros(6, int)])
    with pytest.raises(ValueError, match='integer'):
        frame_accuracy([np.zeros(3)], [np.zeros(3, dtype=int)])
    with pytest.raises(ValueError, match='overlap'):
        f1_score([np.zeros(3, int)], [np.zeros(3, int)], 50)
    with pytest.raises(ValueError, match=r'\(C, T\)'):
        refine_with_boundaries(np.zeros((3, 5)), np.zeros(4))


# ----------------------------------------------------------------------------
# Boundary refinement
# ----------------------------------------------------------------------------


def one_hot_scores(labels, n_classes):
    scores = np.zeros((n_classes, len(labels)))
    scores[labels, np.arange(len(labels))] = 1.0
    return scores


def test_refine_majority_vote():
    scores = one_hot_scores([0, 0, 1, 0, 2, 2, 1], 3)
    logits = np.array([-5, -5, -5, -5, 3, -5, -5.])  # one peak at frame 4
    refined = refine_with_boundaries(scores, logits)
    np.testing.assert_array_equal(refined, [0, 0, 0, 0, 2, 2, 2])
    assert refined.dtype == np.int64
    # no boundary above threshold: one span, frame 0 only
    refined = refine_with_boundaries(scores, np.full(7, -5.0))
    np.testing.assert_array_equal(refined, [0] * 7)


def test_refine_tie_goes_to_larger_summed_logits():
    logits = np.full(4, -10.0)
    # argmax 0, 0, 1, 1: a 2-2 tie inside one span
    scores = np.array([[2.0, 2.0, 0.0, 0.0], [1.9, 1.9, 5.0, 5.0]])
    np.testing.assert_array_equal(
        refine_with_boundaries(scores, logits), [1] * 4)
    scores = np.array([[5.0, 5.0, 0.0, 0.0], [1.0, 1.0, 0.5, 0.5]])
    np.testing.assert_array_equal(
        refine_with_boundaries(scores, logits), [0] * 4)
    # negative logits: still the larger (less negative) sum wins
    scores = np.array([[-1.0, -1.0, -9.0, -9.0], [-3.0, -3.0, -2.0, -2.0]])
    np.testing.assert_array_equal(
        refine_with_boundaries(scores, logits), [1] * 4)


def test_boundary_thresholds_and_ends():
    # probabilities after zeroing: .99 0 .99 .98 0 .998 -> peak at 2 only;
    # the last frame has one neighbour and is never a peak
    logits = np.array([5.0, -5.0, 5.0, 4.0, -5.0, 6.0])
    np.testing.assert_array_equal(boundary_starts(logits), [0, 2])
    # a local maximum with probability 0.4 counts only below 0.4
    logits = np.array([-6.0, np.log(0.4 / 0.6), -6.0, -6.0])
    np.testing.assert_array_equal(boundary_starts(logits), [0])
    np.testing.assert_array_equal(boundary_starts(logits, 0.3), [0, 1])
    # a probability exactly at the threshold is kept; plateaus are no peaks
    np.testing.assert_array_equal(
        boundary_starts([-6.0, 0.0, -6.0], threshold=0.5), [0, 1])
    np.testing.assert_array_equal(boundary_starts([-6.0, 3.0, 3.0, -6.0]), [0])
    assert boundary_starts(np.zeros(0)).size == 0


def test_refine_frame_zero_is_always_a_boundary():
    scores = one_hot_scores([1, 0, 0, 0, 2, 2], 3)
    # peaks at frames 1 and 4; frame 0 is a one-frame span of its own
    logits = np.array([-5.0, 4.0, -5.0, -5.0, 4.0, -5.0])
    np.testing.assert_array_equal(
        refine_with_boundaries(scores, logits), [1, 0, 0, 0, 2, 2])
    # a high value at frame 0 adds no boundary (it is only a neighbour of
    # frame 1); (1, T) logits are accepted
    logits[0] = 3.0
    np.testing.assert_array_equal(
        refine_with_boundaries(scores, logits[None]), [1, 0, 0, 0, 2, 2])
    # without the peak at 1, frames 0-3 vote together
    logits[1] = -5.0
    np.testing.assert_array_equal(
        refine_with_boundaries(scores, logits), [0, 0, 0, 0, 2, 2])


@pytest.mark.parametrize('seed', range(8))
def test_refine_matches_reference_on_random_inputs(seed):
    rng = np.random.default_rng(seed)
    n_frames = int(rng.integers(1, 60))
    scores = rng.normal(size=(4, n_frames))
    # coarse logits so that ties in the majority vote happen often
    scores = np.round(scores)
    logits = rng.normal(-1.0, 2.0, size=n_frames)
    for threshold in (0.3, 0.5, 0.8):
        np.testing.assert_array_equal(
            refine_with_boundaries(scores, logits, threshold),
            ref_refine(scores, logits, threshold))


# ----------------------------------------------------------------------------
# Registered metric
# ----------------------------------------------------------------------------


def make_sample(labels, scores, logits=None, as_dict=False):
    fields = dict(
        gt_frame_labels=torch.tensor(labels),
        pred_frame_scores=torch.tensor(scores, dtype=torch.float32))
    if logits is not None:
        fields['pred_boundary_logits'] = torch.tensor(
            logits, dtype=torch.float32)
    if as_dict:
        return fields
    sample = BaseDataElement()
    sample.set_data(fields)
    return sample


def test_metric_through_registry():
    rng = np.random.default_rng(0)
    preds, gts = random_pairs(3, n_seqs=5)
    scores = [
        one_hot_scores(p, 4) + 0.1 * rng.random((4, len(p))) for p in preds
    ]
    samples = [
        make_sample(g, s, as_dict=i % 2 == 0)
        for i, (g, s) in enumerate(zip(gts, scores))
    ]
    metric = METRICS.build(dict(type='SegmentationMetric', bg_class=0))
    metric.process({}, samples[:2])
    metric.process({}, samples[2:])
    results = metric.evaluate(len(samples))
    assert list(results) == ['Acc', 'Edit', 'F1@10', 'F1@25', 'F1@50']
    assert results['Acc'] == pytest.approx(ref_accuracy(preds, gts))
    assert results['Edit'] == pytest.approx(ref_edit(preds, gts, (0, )))
    for key, overlap in (('F1@10', .1), ('F1@25', .25), ('F1@50', .5)):
        assert results[key] == pytest.approx(
            ref_f1(preds, gts, overlap, (0, )))


def test_metric_options_and_refinement():
    scores = one_hot_scores([0, 0, 1, 0, 2, 2, 1], 3)
    logits = [-5, -5, -5, -5, 3, -5, -5.]
    gt = [0, 0, 0, 0, 2, 2, 255]
    cfg = dict(type='SegmentationMetric', overlaps=(0.5, 0.75), prefix='seg')
    plain = METRICS.build(cfg)
    plain.process({}, [make_sample(gt, scores, logits)])
    plain = plain.evaluate(1)
    assert list(plain) == ['seg/Acc', 'seg/Edit', 'seg/F1@50', 'seg/F1@75']
    assert plain['seg/Acc'] == pytest.approx(500 / 6)

    refined = METRICS.build(dict(cfg, use_boundary_refinement=True))
    refined.process({}, [make_sample(gt, scores, logits)])
    refined = refined.evaluate(1)
    assert refined['seg/Acc'] == 100.0
    assert refined['seg/Edit'] == 100.0
    assert refined['seg/F1@75'] == 100.0

    # refinement enabled but no boundary logits: falls back to argmax
    fallback = METRICS.build(dict(cfg, use_boundary_refinement=True))
    fallback.process({}, [make_sample(gt, scores)])
    assert fallback.evaluate(1) == plain

    with pytest.raises(ValueError, match='fractions'):
        METRICS.build(dict(type='SegmentationMetric', overlaps=(10, )))
    with pytest.raises(KeyError, match='pred_frame_scores'):
        METRICS.build(dict(type='SegmentationMetric')).process(
            {}, [dict(gt_frame_labels=torch.zeros(3))])


def test_metric_length_mismatch_names_sequence():
    metric = METRICS.build(dict(type='SegmentationMetric'))
    metric.process({}, [
        make_sample([0, 1, 1], one_hot_scores([0, 1, 1], 2)),
        make_sample([0, 1, 1], one_hot_scores([0, 1], 2)),
    ])
    with pytest.raises(ValueError, match='Sequence 1'):
        metric.evaluate(2)
