"""ProDA metrics against independent implementations."""
import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score

from mmaction_ext.evaluation.functional.proda import (charades_map,
                                                      frame_labels,
                                                      localization_inputs,
                                                      localization_map, runs,
                                                      temporal_iou)
from mmaction_ext.evaluation.metrics import ProDAMetric
from mmaction_ext.evaluation.metrics.proda_metric import specified_scores


def charades_ap_loop(scores, labels):
    """The Charades script's AP: precision at each positive, averaged."""
    aps = []
    for c in range(labels.shape[1]):
        if labels[:, c].sum() == 0:
            continue
        order = np.argsort(-scores[:, c], kind='stable')
        hits, precisions = 0, []
        for rank, i in enumerate(order, start=1):
            if labels[i, c]:
                hits += 1
                precisions.append(hits / rank)
        aps.append(sum(precisions) / len(precisions))
    return sum(aps) / len(aps)


def test_charades_map_matches_independent_implementations():
    rng = np.random.default_rng(0)
    scores = rng.random((30, 12))  # distinct scores: no ties
    labels = (rng.random((30, 12)) > 0.7).astype(int)
    labels[:, 5] = 0  # a class without positives is skipped
    ours = charades_map(scores, labels)
    assert ours == pytest.approx(charades_ap_loop(scores, labels))
    keep = labels.sum(0) > 0
    sk = np.mean([
        average_precision_score(labels[:, c], scores[:, c])
        for c in np.flatnonzero(keep)
    ])
    assert ours == pytest.approx(sk)
    with pytest.raises(ValueError, match='scores'):
        charades_map(scores[:, :3], labels)


def test_frames_runs_and_iou():
    gt = frame_labels([0, 10, 20, 30, 40], [(2, 5, 25), (0, 40, 50)], 3)
    assert gt[:, 2].tolist() == [False, True, True, False, False]
    assert gt[:, 0].tolist() == [False] * 4 + [True]
    # the stop frame is outside, as in the dataset's action_segments
    gt = frame_labels([0, 10, 20, 30], [(1, 10, 30)], 2)
    assert gt[:, 1].tolist() == [False, True, True, False]
    assert runs(np.array([1, 1, 0, 1])) == [(0, 2), (3, 4)]
    assert temporal_iou((0, 4), (2, 6)) == pytest.approx(2 / 6)


def test_localization_map_hand_computed():
    gts = {0: {'a': [(0, 4)], 'b': [(2, 6)]}}
    dets = {0: [(0.9, 'a', (0, 4)), (0.8, 'b', (0, 2)), (0.7, 'b', (2, 5))]}
    # ranks: TP (1/1), FP, TP (2/3) -> VOC AP = 0.5 * 1 + 0.5 * 2/3
    assert localization_map(dets, gts, 0.5) == pytest.approx(0.5 + 1 / 3)
    assert localization_map(dets, gts, 0.9) == pytest.approx(0.5)
    video = dict(
        key='v',
        specs=np.array([[True, False]]),
        spec_scores=np.array([[0.6, 0.1, 0.3]]),
        distractor=np.array([False]),
        frame_weights=np.array([[0.1, 0.9, 0.8, 0.2]]),
        frame_gt=np.array([[0, 0], [1, 0], [1, 0], [0, 0]], bool))
    dets, gts = localization_inputs([video], 0.5, distractor=False)
    assert gts == {0: {'v#0': [(1, 3)]}}
    assert dets[0] == [(0.6, 'v#0', (1, 3))]


def test_specified_scores():
    specs = np.array([[1, 0, 1], [0, 1, 0]], bool)
    scores = np.array([[.1, .2, .3, .9], [.4, .5, .6, .9]])
    assert specified_scores(specs, scores).tolist() == [.1, .5, .3]


def test_metric_end_to_end():
    metric = ProDAMetric(
        num_classes=4,
        by_label_count=True,
        localization=True,
        thetas=(0.5, ),
        iou_thrs=(0.5, ))
    samples = []
    for i, label in enumerate([[0], [1, 2], [3]]):
        hot = torch.zeros(4)
        hot[label] = 1
        specs = torch.eye(4, dtype=torch.bool)
        samples.append(
            dict(
                video_id=f'v{i}',
                gt_label=torch.tensor(label),
                pred_score=hot * 0.9 + 0.05,
                aux_score=torch.rand(4),
                action_specs=specs,
                spec_distractor=torch.zeros(4, dtype=bool),
                spec_scores=torch.cat([torch.diag(hot), 1 - hot[:, None]], 1),
                frame_weights=torch.tensor([[0., 1., 1., 0.]]).expand(4, 4),
                frame_inds=[0, 1, 2, 3],
                action_segments=[(c, 1, 2) for c in label]))
    metric.process({}, samples)
    out = metric.compute_metrics(metric.results)
    assert out['a_t_mAP'] == pytest.approx(100)
    assert out['a_s_mAP'] == pytest.approx(100)
    assert out['a_s_mAP/clean/L1'] == pytest.approx(100)
    assert out['loc_mAP/clean/theta0.5/iou0.5'] == pytest.approx(100)
    assert 'a_m_mAP' in out
