"""MMAction2 1.2.0 under numpy 2: the transforms and metrics we patch.

Each test builds the real MMAction2 transform / metric from its registry (or
calls the real function) on small inputs and checks the result against a
value computed here in plain Python, i.e. what numpy 1 gave. An MMAction2 or
numpy upgrade that changes these modules fails here.
"""
import importlib
import os.path as osp
import re

import cv2
import mmengine
import numpy as np
import pytest
import torch

import mmaction_ext  # noqa: F401  (applies the workarounds)
from mmaction.registry import METRICS, TRANSFORMS
from mmaction_ext import compat
from mmaction_ext.compat.numpy import MULTISPORTS_MODULE, NUMPY1_NAME_USERS

REMOVED_IN_NUMPY2 = ('Inf', 'trapz', 'in1d')


def test_numpy_itself_is_unchanged():
    if int(np.__version__.split('.')[0]) < 2:
        pytest.skip('numpy 1 still has these names')
    for name in REMOVED_IN_NUMPY2:
        assert not hasattr(np, name), name


def test_every_mmaction_use_of_a_removed_name_is_covered():
    """Scan the installed mmaction package: no new user of a removed name."""
    import mmaction
    root = osp.dirname(mmaction.__file__)
    pattern = re.compile(r'\bnp\.(%s)\b' % '|'.join(REMOVED_IN_NUMPY2))
    users = set()
    for path in mmengine.scandir(root, suffix='.py', recursive=True):
        if path.startswith(('.mim', 'tests')):  # scripts, not the library
            continue
        with open(osp.join(root, path)) as f:
            if pattern.search(f.read()):
                module = 'mmaction.' + path[:-3].replace(osp.sep, '.')
                users.add(module)
    assert users == set(NUMPY1_NAME_USERS)
    for module in users:
        assert not compat.missing_numpy1_names(module,
                                               NUMPY1_NAME_USERS[module])


def test_fixes_are_idempotent():
    result = compat.apply_all()
    assert not result['restore_numpy1_names']
    assert result['fix_multisports_scalar_conversion'] is False
    assert not compat.multisports_tube_iou_fails()


def _skeleton():
    """One person, two frames, three joints; one joint missing (zeros)."""
    keypoint = np.array([[[[10., 20.], [30., 40.], [0., 0.]],
                          [[50., 60.], [20., 30.], [40., 50.]]]],
                        dtype=np.float32)
    return keypoint


def test_pose_compact():
    keypoint = _skeleton()
    transform = TRANSFORMS.build(
        dict(type='PoseCompact', padding=0.25, threshold=10))
    results = transform(dict(img_shape=(100, 100), keypoint=keypoint.copy()))
    # Box of the non-zero joints: x 10..50, y 20..60, padded by 25%.
    x0, x1 = 30 - 20 * 1.25, 30 + 20 * 1.25
    y0, y1 = 40 - 20 * 1.25, 40 + 20 * 1.25
    assert results['img_shape'] == (int(y1) - int(y0), int(x1) - int(x0))
    expected = keypoint.copy()
    present = expected != 0
    expected[..., 0][present[..., 0]] -= int(x0)
    expected[..., 1][present[..., 1]] -= int(y0)
    np.testing.assert_array_equal(results['keypoint'], expected)
    assert results['crop_quadruple'] == (0.05, 0.15, 0.5, 0.5)


def test_pose_compact_without_any_joint_keeps_the_frame():
    # numpy 1: min over no joints with initial=Inf is Inf, so the box is
    # "too small" and nothing changes.
    transform = TRANSFORMS.build(dict(type='PoseCompact'))
    results = transform(
        dict(img_shape=(64, 48), keypoint=np.zeros((1, 2, 3, 2), np.float32)))
    assert results['img_shape'] == (64, 48)
    assert 'crop_quadruple' not in results


def test_mm_compact():
    keypoint = _skeleton()
    imgs = [
        np.random.default_rng(i).integers(0, 255, (100, 100, 3), np.uint8)
        for i in range(2)
    ]
    transform = TRANSFORMS.build(dict(type='MMCompact', padding=0.25))
    results = transform(
        dict(
            img_shape=(100, 100),
            keypoint=keypoint.copy(),
            imgs=[img.copy() for img in imgs]))
    # Same box as PoseCompact: x 5..55, y 15..65 (square, hw_ratio=1).
    assert results['img_shape'] == (50, 50)
    for img, cropped in zip(imgs, results['imgs']):
        np.testing.assert_array_equal(cropped, img[15:65, 5:55])


def test_frame_extract_with_short_side(tmp_path):
    from mmaction.utils import frame_extract
    video = str(tmp_path / 'clip.avi')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'MJPG'), 5,
                             (32, 24))
    if not writer.isOpened():
        pytest.skip('this OpenCV build cannot write MJPG videos')
    for i in range(3):
        writer.write(np.full((24, 32, 3), 40 * i, np.uint8))
    writer.release()
    paths, frames = frame_extract(
        video, short_side=12, out_dir=str(tmp_path / 'frames'))
    # Short side 24 -> 12 keeps the aspect ratio: 32 x 24 -> 16 x 12.
    assert len(frames) == len(paths) == 3
    assert all(frame.shape == (12, 16, 3) for frame in frames)
    assert all(osp.isfile(path) for path in paths)


def _trapezoid(y, x):
    return sum(
        (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2 for i in range(len(x) - 1))


def test_average_recall_at_avg_proposals():
    from mmaction.evaluation import average_recall_at_avg_proposals
    ground_truth = {'v': np.array([[0., 10.], [20., 30.]])}
    proposals = {
        'v': np.array([[0., 10., .9], [20., 25., .8], [40., 50., .7]])
    }
    recall, avg_recall, per_video, auc = average_recall_at_avg_proposals(
        ground_truth, proposals, total_num_proposals=3, max_avg_proposals=3)
    # With all 3 proposals: IoU 1 for the first instance, 0.5 for the second,
    # so recall is 1 at threshold 0.5 and 0.5 at the 9 higher thresholds.
    assert avg_recall[-1] == pytest.approx((1 + 9 * 0.5) / 10)
    expected_auc = 100 * _trapezoid(avg_recall, per_video) / per_video[-1]
    assert auc == pytest.approx(expected_auc)


def test_retrieval_recall():
    metric = METRICS.build(dict(type='RetrievalRecall', topk=(1, 2)))
    scores = [[.1, .7, .2], [.6, .3, .1], [.2, .3, .5]]
    labels = [2, 0, 1]
    metric.process(None, [
        dict(pred_score=torch.tensor(s), gt_label=torch.tensor([label]))
        for s, label in zip(scores, labels)
    ])
    results = metric.compute_metrics(metric.results)
    for k in (1, 2):
        hits = [
            label in sorted(range(3), key=lambda c: -s[c])[:k]
            for s, label in zip(scores, labels)
        ]
        assert results[f'Recall@{k}'] == pytest.approx(100 * sum(hits) /
                                                       len(hits))


def _voc_ap(is_true, num_gt):
    """VOC AP of detections in score order (interpolated precision)."""
    tp, precision, recall = 0, [], []
    for rank, true in enumerate(is_true, 1):
        tp += true
        precision.append(tp / rank)
        recall.append(tp / num_gt)
    ap, previous_recall = 0., 0.
    for i, r in enumerate(recall):
        if r != previous_recall:
            ap += (r - previous_recall) * max(precision[i:])
            previous_recall = r
    return ap


def test_multisports_metric(tmp_path):
    """One ground-truth tube over 4 frames, found exactly, plus 2 false
    boxes (higher scores, frames 1-2: too short to form a tube)."""
    size, frames = 128, 4
    gt_box = np.array([16., 32., 64., 96.])
    tube = np.array([[f, *gt_box] for f in range(1, frames + 1)])
    ann_file = str(tmp_path / 'anno.pkl')
    mmengine.dump(
        dict(
            test_videos=[['v']],
            resolution={'v': (size, size)},
            nframes={'v': frames},
            labels=['kick'],
            gttubes={'v': {
                0: [tube]
            }}), ann_file)
    metric = METRICS.build(
        dict(
            type='MultiSportsMetric',
            ann_file=ann_file,
            verbose=False,
            metric_options=dict(
                F_mAP=dict(thr=0.5),
                V_mAP=dict(thr=(0.2, 0.5), all=True, tube_thr=3))))
    false_box = [0.75, 0.75, 0.875, 0.875]
    samples = []
    for frame in range(1, frames + 1):
        boxes, scores = [gt_box / size], [0.9]
        if frame <= 2:
            boxes.append(false_box)
            scores.append(0.95)
        samples.append(
            dict(
                video_id='v.mp4',
                timestamp=frame,
                pred_instances=dict(
                    bboxes=torch.tensor(np.array(boxes), dtype=torch.float32),
                    scores=torch.tensor(scores)[:, None])))
    metric.process(None, samples)
    results = metric.compute_metrics(metric.results)
    # Frame level: 2 false (ranked first), then 4 true among 4 ground truths.
    expected_frame_ap = 100 * _voc_ap([0, 0, 1, 1, 1, 1], num_gt=4)
    assert results['frameAP'] == pytest.approx(
        round(expected_frame_ap, 4), abs=1e-4)
    # Video level: the one linked tube is the ground-truth tube.
    for key in ('v_map@0.2', 'v_map@0.5', 'v_map_0.05:0.45', 'v_map_0.10:0.90',
                'v_map_0.50:0.95'):
        assert results[key] == pytest.approx(100.), key


def test_multisports_tube_iou_matches_plain_computation():
    utils = importlib.import_module(MULTISPORTS_MODULE)
    a = np.array([[1, 0, 0, 10, 10], [2, 0, 0, 10, 10], [3, 0, 0, 10, 10]],
                 dtype=float)
    b = np.array([[2, 5, 0, 15, 10], [3, 5, 0, 15, 10], [4, 5, 0, 15, 10]],
                 dtype=float)
    # Frames 2..3 overlap out of 1..4: temporal IoU (3-2)/(4-1); spatial IoU
    # of the boxes 50 / 150 on each shared frame.
    assert utils.iou3dt_voc(a, b) == pytest.approx((50 / 150) * (1 / 3))
