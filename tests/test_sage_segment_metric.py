"""Segment predictions joined into video relations, then scored."""
import json

import numpy as np
import pytest
from mmengine.structures import BaseDataElement

from mmaction_ext.evaluation.metrics import VidVRDSegmentMetric

TRIPLET = ['dog', 'chase', 'domestic_cat']


def boxes(begin, end, offset=0.):
    frames = np.arange(begin, end, dtype=np.float64)[:, None]
    return np.concatenate(
        [frames + offset, frames, frames + 40 + offset, frames + 30], 1)


@pytest.fixture
def gt_file(tmp_path):
    gt = {
        'v0': [
            dict(
                triplet=TRIPLET,
                duration=[0, 75],
                sub_traj=boxes(0, 75).tolist(),
                obj_traj=boxes(0, 75, 50).tolist())
        ],
        'v1': [
            dict(
                triplet=['dog', 'chase', 'bicycle'],
                duration=[0, 30],
                sub_traj=boxes(0, 30).tolist(),
                obj_traj=boxes(0, 30, 50).tolist())
        ]
    }
    path = tmp_path / 'gt.json'
    path.write_text(json.dumps(gt))
    return str(path)


def segment(vid, begin, end, triplet=TRIPLET, score=0.9):
    sample = BaseDataElement(metainfo=dict(video_id=vid, segment=(begin, end)))
    sample.pred_relations = [
        dict(
            triplet=tuple(triplet),
            score=score,
            duration=(begin, end),
            sub_traj=boxes(begin, end).tolist(),
            obj_traj=boxes(begin, end, 50).tolist())
    ]
    return sample


def score(metric, samples):
    metric.process({}, samples)
    return metric.compute_metrics(metric.results)


def test_overlapping_segments_join_into_the_gt_relation(gt_file):
    result = score(
        VidVRDSegmentMetric(gt_file),
        [segment('v0', b, b + 30) for b in (0, 15, 30, 45)])
    # v0 found once (its four segments associate), v1 has no prediction
    assert result['mAP'] == pytest.approx(0.5)
    assert result['R@50'] == pytest.approx(0.5)
    assert result['P@1'] == pytest.approx(0.5)
    # one segment alone covers 30 of 75 frames: vIoU 0.4 < 0.5
    alone = score(VidVRDSegmentMetric(gt_file), [segment('v0', 0, 30)])
    assert alone['mAP'] == 0


def test_wrong_triplets_and_novel_split(gt_file):
    wrong = ['dog', 'chase', 'bicycle']
    result = score(
        VidVRDSegmentMetric(gt_file),
        [segment('v0', 0, 30, wrong),
         segment('v0', 15, 45, wrong)])
    assert result['mAP'] == 0
    with pytest.raises(ValueError, match='no video has a ground-truth'):
        # chase is a base predicate: the novel split keeps no GT
        score(
            VidVRDSegmentMetric(gt_file, split='novel'),
            [segment('v0', 0, 30)])


def test_bad_segments_fail_clearly(gt_file):
    with pytest.raises(
            ValueError, match=r'segment \(0, 30\) of video '
            "'v0' twice"):
        score(
            VidVRDSegmentMetric(gt_file),
            [segment('v0', 0, 30), segment('v0', 0, 30)])
    with pytest.raises(ValueError, match="not in .*gt.json.*'v9'"):
        score(VidVRDSegmentMetric(gt_file), [segment('v9', 0, 30)])
    bad = segment('v0', 0, 30)
    bad.pred_relations[0]['triplet'] = ('dog', 'fly_over', 'dog')
    with pytest.raises(ValueError, match='segment 0-30: pred_relations'):
        score(VidVRDSegmentMetric(gt_file), [bad])
    with pytest.raises(KeyError, match="'segment'"):
        score(
            VidVRDSegmentMetric(gt_file),
            [BaseDataElement(metainfo=dict(video_id='v0'))])


def test_ground_truth_from_the_first_sample_of_each_video(gt_file):
    with open(gt_file) as f:
        gt = json.load(f)
    samples = [segment('v0', b, b + 30) for b in (0, 15, 30, 45)]
    samples[0].set_metainfo(dict(gt_relations=gt['v0']))
    other = segment('v1', 0, 30, ['dog', 'chase', 'bicycle'])
    other.set_metainfo(dict(gt_relations=gt['v1']))
    result = score(VidVRDSegmentMetric(), samples + [other])
    assert result['mAP'] == pytest.approx(1.)
    assert result['R@50'] == pytest.approx(1.)
    with pytest.raises(ValueError, match="videos \\['v0'\\] carries"):
        score(VidVRDSegmentMetric(), [segment('v0', 0, 30)])
    twice = segment('v1', 15, 45)
    twice.set_metainfo(dict(gt_relations=gt['v1']))
    with pytest.raises(ValueError, match="two samples of video 'v1'"):
        score(VidVRDSegmentMetric(), [other, twice])
