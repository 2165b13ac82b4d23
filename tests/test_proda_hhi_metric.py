"""SportsHHI pair AP / Recall@K and the metric wrapper."""
import numpy as np
import pytest
import torch

from mmaction_ext.evaluation import SportsHHIMetric
from mmaction_ext.evaluation.functional import (hhi_pair_evaluate,
                                                pair_true_positives)

A = [0.0, 0.0, 0.2, 0.5]
B = [0.5, 0.0, 0.7, 0.5]
C = [0.3, 0.5, 0.5, 1.0]
NEAR_A = [0.0, 0.0, 0.2, 0.52]  # IoU 0.96 with A
OFF_B = [0.55, 0.0, 0.75, 0.5]  # IoU 0.6 with B


def arr(*boxes):
    return np.array(boxes, dtype=np.float64).reshape(-1, 4)


def test_pair_true_positives_needs_both_persons_and_takes_each_gt_once():
    gt_p1, gt_p2 = arr(A, B), arr(B, C)
    hits = pair_true_positives(
        arr(NEAR_A, A, A, B), arr(B, B, OFF_B, C), gt_p1, gt_p2)
    # 1st takes GT 0; 2nd would match GT 0 again -> FP; 3rd fails on p2;
    # 4th matches GT 1.
    assert hits.tolist() == [True, False, False, True]
    assert pair_true_positives(arr(A), arr(B), arr(),
                               arr()).tolist() == [False]


def test_evaluate_ap_and_recall_against_hand_computation():
    groundtruth = {
        'v,0001': dict(p1=arr(A, B), p2=arr(B, C), labels=np.array([1, 2])),
        'v,0002': dict(p1=arr(C), p2=arr(A), labels=np.array([1])),
    }
    detections = {
        # class 1: scores 0.9 (TP), 0.8 (FP: wrong p2), 0.3 (TP)
        'v,0001':
        dict(
            p1=arr(A, A, B),
            p2=arr(B, OFF_B, C),
            labels=np.array([1, 1, 2]),
            scores=np.array([0.9, 0.8, 0.7])),
        'v,0002':
        dict(
            p1=arr(C), p2=arr(A), labels=np.array([1]),
            scores=np.array([0.3])),
    }
    res = hhi_pair_evaluate(
        detections, groundtruth, [1, 2, 3], recall_at=(1, 2))
    # class 1: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1 ->
    # AP = 1/2 * 1 + 1/2 * 2/3
    assert res['AP@1'] == pytest.approx(0.5 + 1 / 3)
    assert res['AP@2'] == pytest.approx(1.0)
    assert np.isnan(res['AP@3'])  # no GT: left out of the mean
    assert res['mAP'] == pytest.approx((0.5 + 1 / 3 + 1) / 2)
    # top-1 per keyframe: 0.9 (TP) and 0.3 (TP) -> 2 / 3 GT pairs
    assert res['recall@1'] == pytest.approx(2 / 3)
    assert res['recall@2'] == pytest.approx(2 / 3)  # 0.8 is a FP
    # An undetected class counts 0 unless skipped (official).
    del detections['v,0001']
    res = hhi_pair_evaluate(detections, groundtruth, [1, 2])
    assert res['AP@2'] == 0 and res['mAP'] == pytest.approx((0.5 + 0.) / 2)
    res = hhi_pair_evaluate(
        detections, groundtruth, [1, 2], skip_undetected_classes=True)
    assert res['mAP'] == pytest.approx(0.5)


def test_metric_from_data_samples():
    metric = SportsHHIMetric(recall_at=(5, ))
    boxes = torch.tensor([A, B, C]) * torch.tensor([100., 50., 100., 50.])
    scores = torch.tensor([[0.1, 0.8, 0.1], [0.1, 0.2, 0.7],
                           [0.998, 0.001, 0.001]])
    sample = dict(
        img_key='v,0001',
        img_shape=(50, 100),
        gt_instances=dict(bboxes=boxes),
        p1_ids=np.array([0, 1]),
        p2_ids=np.array([1, 2]),
        gt_interactions=np.eye(3, dtype=np.float32)[[1, 2]],
        pred_instances=dict(
            p1_bboxes=torch.tensor([A, B, C]),
            p2_bboxes=torch.tensor([B, C, A]),
            scores=scores))
    metric.process({}, [sample])
    res = metric.compute_metrics(metric.results)
    assert res['mAP'] == pytest.approx(1.0)
    assert res['recall@5'] == pytest.approx(1.0)
    # The third pair is below score_thr: dropped, not a false positive.
    assert len(metric.results[0]['det']['scores']) == 2
    with pytest.raises(KeyError, match="needs 'p1_ids'"):
        metric.process({}, [{
            k: v
            for k, v in sample.items() if k != 'p1_ids'
        }])
