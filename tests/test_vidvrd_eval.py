"""VidVRD relation detection / tagging metrics against a plain reference.

The reference (:mod:`mmaction_ext.evaluation.functional.vidvrd_reference`)
follows the protocol text (VidVRD-helper ``evaluation/common.py`` and
``visual_relation_detection.py``) with loops over frames, predictions and
GTs, and its own per-frame vIoU, so it shares no code with the
implementation (all videos matched together in rounds of numpy passes,
``vidvrd_matching.greedy_matches``). Threshold 0 lets pairs whose spans
do not meet (vIoU 0) match, so the pairs skipped above 0 are covered.
"""
import random

import numpy as np
import pytest

from mmaction_ext.datasets import load_vocabulary
from mmaction_ext.evaluation import VidVRDMetric
from mmaction_ext.evaluation.functional import (evaluate_relations,
                                                filter_relations,
                                                match_detections, voc_ap)
from mmaction_ext.evaluation.functional.vidvrd_reference import \
    evaluate as ref_evaluate
from mmaction_ext.evaluation.functional.vidvrd_reference import \
    evaluate_video as ref_video
from mmaction_ext.evaluation.functional.vidvrd_reference import \
    voc_ap as ref_voc_ap

# ------------------------------------------------------ random cases --


def random_traj(rng, length, base=None, jitter=0.):
    traj = []
    for k in range(length):
        if base is not None and k < len(base):
            box = [v + rng.uniform(-jitter, jitter) for v in base[k]]
            box = [round(v, 1) for v in box]
        else:
            x, y = rng.randint(0, 60), rng.randint(0, 60)
            box = [x, y, x + rng.randint(0, 30), y + rng.randint(0, 30)]
        box[2], box[3] = max(box[2], box[0]), max(box[3], box[1])
        traj.append([float(v) for v in box])
    return traj


def random_relation(rng, names, preds):
    begin = rng.randint(0, 10)
    end = begin + rng.randint(1, 8)
    return dict(
        triplet=(rng.choice(names), rng.choice(preds), rng.choice(names)),
        duration=(begin, end),
        sub_traj=random_traj(rng, end - begin),
        obj_traj=random_traj(rng, end - begin))


def perturbed(rng, gt, score):
    """A prediction near ``gt``: shifted span, jittered boxes."""
    begin = max(0, gt['duration'][0] + rng.randint(-1, 1))
    end = max(begin + 1, gt['duration'][1] + rng.randint(-1, 1))
    shift = begin - gt['duration'][0]
    jitter = rng.choice([0., 0., 1., 3.])

    def move(traj):
        base = traj[max(shift, 0):] if shift >= 0 else \
            [traj[0]] * -shift + traj
        return random_traj(rng, end - begin, base, jitter)

    return dict(
        triplet=gt['triplet'],
        duration=(begin, end),
        sub_traj=move(gt['sub_traj']),
        obj_traj=move(gt['obj_traj']),
        score=score)


def random_case(seed, names=('a', 'b'), predicates=('p', 'q')):
    rng = random.Random(seed)
    gts, preds = {}, {}
    for v in range(rng.randint(1, 5)):
        gt = [
            random_relation(rng, names, predicates)
            for _ in range(rng.randint(0, 6))
        ]
        if gt and rng.random() < 0.5:  # an exact duplicate GT: tie-break
            gt.append(dict(gt[0]))
        pred = []
        for _ in range(rng.randint(0, 25)):
            # few distinct scores so that ties occur
            score = rng.choice([0.9, 0.5, 0.5, 0.3]) if rng.random() < 0.5 \
                else rng.random()
            if gt and rng.random() < 0.7:
                pred.append(perturbed(rng, rng.choice(gt), score))
            else:
                pred.append(
                    dict(random_relation(rng, names, predicates), score=score))
        gts[f'v{v}'] = gt
        if rng.random() < 0.9:
            preds[f'v{v}'] = pred
    if not any(gts.values()):
        gts['v0'] = [random_relation(rng, names, predicates)]
    return gts, preds


def as_arrays(relations):
    return {
        vid: [
            dict(
                rel,
                sub_traj=np.array(rel['sub_traj']).reshape(-1, 4),
                obj_traj=np.array(rel['obj_traj']).reshape(-1, 4))
            for rel in rels
        ]
        for vid, rels in relations.items()
    }


@pytest.mark.parametrize('seed', range(40))
def test_random_cases_match_reference(seed):
    gts, preds = random_case(seed)
    # 0: disjoint spans (vIoU 0) match too
    thr = [0.5, 0.3, 0.7, 0.][seed % 4]
    expected = ref_evaluate(gts, preds, thr)
    got = evaluate_relations(as_arrays(gts), as_arrays(preds), thr)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key


def test_random_cases_are_not_trivial():
    """The random cases reach both matches and misses."""
    values = [ref_evaluate(*random_case(seed))['mAP'] for seed in range(40)]
    assert min(values) < 0.3 and max(values) > 0.7


def test_voc_ap_matches_reference():
    rng = np.random.default_rng(0)
    for _ in range(20):
        hits = rng.random(rng.integers(0, 12)) < 0.5
        num_gt = int(hits.sum()) + int(rng.integers(0, 3))
        rec = np.cumsum(hits) / max(num_gt, 1)
        prec = np.cumsum(hits) / np.arange(1, len(hits) + 1)
        assert voc_ap(rec, prec) == pytest.approx(
            ref_voc_ap(rec, prec), abs=1e-12)


# -------------------------------------------------------- hand cases --

SUB = [[0., 0., 9., 9.]] * 2
OBJ = [[20., 20., 29., 29.]] * 2


def rel(triplet, score=None, sub=SUB, obj=OBJ, duration=(0, 2)):
    out = dict(
        triplet=triplet,
        duration=duration,
        sub_traj=np.array(sub),
        obj_traj=np.array(obj))
    if score is not None:
        out['score'] = score
    return out


RIDE = ('person', 'ride', 'bicycle')
CHASE = ('dog', 'chase', 'domestic_cat')


def hand_case():
    gts = {'v1': [rel(RIDE), rel(CHASE)], 'v2': [rel(RIDE)], 'v3': []}
    preds = {'v1': [rel(RIDE, 0.9), rel(CHASE, 0.7), rel(RIDE, 0.8)]}
    return gts, preds


def test_hand_computed_case():
    # v1: hits T, F (its GT already taken), T -> rec .5 .5 1, prec 1 .5 2/3
    # AP = .5 * 1 + .5 * 2/3 = 5/6; v2 has no predictions -> AP 0
    gts, preds = hand_case()
    out = evaluate_relations(gts, preds, recall_k=(1, 50))
    assert out['video_ap'] == pytest.approx({'v1': 5 / 6, 'v2': 0.})
    assert out['mAP'] == pytest.approx(5 / 12)
    assert out['R@1'] == pytest.approx(1 / 3)
    assert out['R@50'] == pytest.approx(2 / 3)
    assert out['P@1'] == pytest.approx(0.5)  # v1: 1, v2: no triplets 0
    assert out['num_videos'] == 2 and out['num_gt'] == 3


def test_threshold_is_inclusive_and_uses_min_of_roles():
    # sub vIoU = 1; obj shifted by 5 of 10 px on x: 50 / 150 = 1/3
    shifted = [[25., 20., 34., 29.]] * 2
    gts = [rel(RIDE)]
    assert match_detections(gts, [rel(RIDE, 1., obj=shifted)], 1 / 3)[0]
    assert not match_detections(gts, [rel(RIDE, 1., obj=shifted)], 0.34)[0]
    # a half-length trajectory: overlap 100 / (200 + 100 - 100) = 0.5
    half = rel(RIDE, 1., sub=SUB[:1], obj=OBJ[:1], duration=(0, 1))
    assert match_detections(gts, [half], 0.5)[0]


def test_wrong_triplet_or_disjoint_span_misses():
    gts = [rel(RIDE)]
    assert not match_detections(gts, [rel(CHASE, 1.)])[0]
    late = rel(RIDE, 1., duration=(2, 4))
    assert not match_detections(gts, [late])[0]


def test_compared_bad_boxes_are_an_error():
    gts = [rel(RIDE)]
    flipped = rel(RIDE, 1., obj=[[29., 20., 20., 29.]] * 2)
    with pytest.raises(ValueError, match=r'obj_traj\[0\] \[29.0, 20.0, 20.0'):
        match_detections(gts, [flipped])
    short = rel(RIDE, 1., sub=SUB[:1])
    with pytest.raises(ValueError, match='sub_traj has 1 boxes for its'):
        evaluate_relations({'v': gts}, {'v': [short]})


def test_no_gt_anywhere_is_an_error():
    with pytest.raises(ValueError, match='no video has a ground-truth'):
        evaluate_relations({'v': []}, {'v': [rel(RIDE, 1.)]})


def test_unscored_videos_are_reported():
    gts, preds = hand_case()
    preds['other'] = [rel(RIDE, 1.)]
    assert evaluate_relations(gts, preds)['unscored_videos'] == ['other']


def test_filter_relations_by_split():
    vocab = load_vocabulary('vidvrd')
    objects, predicates = vocab.eval_classes('novel')
    novel = ('person', 'above', 'dog')
    kept = filter_relations({'v': [rel(RIDE), rel(novel)]}, objects,
                            predicates)
    assert [r['triplet'] for r in kept['v']] == [novel]


# ------------------------------------------------------------- metric --


def listed(relations):
    return [
        dict(
            r,
            sub_traj=r['sub_traj'].tolist(),
            obj_traj=r['obj_traj'].tolist()) for r in relations
    ]


def test_metric_equals_functional_and_filters_novel():
    gts, preds = hand_case()
    novel = ('person', 'above', 'dog')
    gts['v2'].append(rel(novel))
    preds['v2'] = [rel(novel, 0.4), rel(RIDE, 0.3)]
    for split in ('all', 'novel'):
        metric = VidVRDMetric(split=split, recall_k=(1, 50))
        metric.process({}, [
            dict(
                video_id=vid,
                gt_relations=listed(gts[vid]),
                pred_relations=listed(preds.get(vid, []))) for vid in gts
        ])
        got = metric.compute_metrics(metric.results)
        kept = (None, {'above'}) if split == 'novel' else (None, None)
        expected = ref_evaluate(
            filter_relations(gts, *kept), filter_relations(preds, *kept))
        assert got['mAP'] == pytest.approx(expected['mAP'], abs=1e-9)
        assert got['R@50'] == pytest.approx(expected['R@50'], abs=1e-9)
        assert got['P@5'] == pytest.approx(expected['P@5'], abs=1e-9)
    assert got['mAP'] == pytest.approx(1.)  # novel: only v2's 'above'


def test_metric_rejects_bad_samples():
    metric = VidVRDMetric()
    bad = rel(('person', 'flies_to', 'dog'), 1.)
    with pytest.raises(ValueError, match="video 'v'.*'flies_to'"):
        metric.process({}, [
            dict(video_id='v', gt_relations=[], pred_relations=listed([bad]))
        ])
    with pytest.raises(KeyError, match='gt_relations'):
        metric.process({}, [dict(video_id='v', pred_relations=[])])
    with pytest.raises(ValueError, match='split'):
        VidVRDMetric(split='rare')


def test_equal_overlap_takes_the_first_gt():
    # p1 overlaps g1 and g2 equally (80 / 120); p2 fits g1 only (g2: 0.43)
    def boxes(x):
        return [[x, 0., x + 9., 9.]] * 2

    gts = [
        rel(RIDE, sub=boxes(0.), obj=boxes(0.)),
        rel(RIDE, sub=boxes(4.), obj=boxes(4.))
    ]
    preds = [
        rel(RIDE, 0.9, sub=boxes(2.), obj=boxes(2.)),
        rel(RIDE, 0.8, sub=boxes(0.), obj=boxes(0.))
    ]
    assert match_detections(gts, preds).tolist() == [True, False]
    assert ref_video(gts, preds, 0.5)[0] == [True, False]
