"""SAGE data: segments, pairs, targets, the segment dataset and its sample
contract (shapes, dtypes, keys) through LoadVidVRDSegmentFeatures and
PackActionInputs, and the errors on bad input."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from sage_data_helpers import (annotation, features_for_dataset,
                               write_annotations)

import mmaction_ext  # noqa: F401
from mmaction.registry import DATASETS
from mmaction_ext.datasets.vidvrd_annotation import (VidVRDFormatError,
                                                     parse_annotation)
from mmaction_ext.datasets.vidvrd_classes import load_vocabulary
from mmaction_ext.datasets.vidvrd_features import MOTION_DIMS
from mmaction_ext.datasets.vidvrd_segments import (build_segment, gt_tracks,
                                                   sample_frames, segment_viou,
                                                   video_segments)

init_default_scope('mmaction')

PIPELINE = [
    dict(type='LoadVidVRDSegmentFeatures'),
    dict(
        type='PackActionInputs',
        collect_keys=('subject_feats', 'object_feats', 'union_feats',
                      'frame_feats', 'motion_feats', 'pair_mask'),
        meta_keys=('video_id', 'segment', 'segment_index', 'num_segments',
                   'frame_inds', 'width', 'height', 'gt_relations'),
        algorithm_keys=('pair_tids', 'subject_labels', 'object_labels',
                        'subject_scores', 'object_scores', 'subject_boxes',
                        'object_boxes', 'relation_targets'))
]


def build(tmp_path, annos, pipeline=(), **kwargs):
    folder = write_annotations(tmp_path / 'anno', annos)
    cfg = dict(
        type='VidVRDSegmentDataset',
        ann_file=folder,
        pipeline=list(pipeline),
        data_prefix=dict(features=str(tmp_path / 'features')),
        serialize_data=False)
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def test_segments_and_sampled_frames():
    assert video_segments(60) == [(0, 30), (15, 45), (30, 60)]
    assert video_segments(44) == [(0, 30)]  # VidVRD-helper drops the tail
    assert video_segments(20) == [(0, 20)]  # shorter: one segment
    assert sample_frames(0, 30, 8).tolist() == [1, 5, 9, 13, 16, 20, 24, 28]
    # overlapping segments share half their frames
    assert set(sample_frames(0, 30, 8)) & set(sample_frames(15, 45, 8)) == {
        16, 20, 24, 28
    }
    assert sample_frames(0, 20, 4).tolist() == [2, 7, 12, 17]


def plain_viou(a, b):
    inter = va = vb = 0.
    for p, q in zip(a, b):
        if not np.isnan(p[0]):
            va += (p[2] - p[0] + 1) * (p[3] - p[1] + 1)
        if not np.isnan(q[0]):
            vb += (q[2] - q[0] + 1) * (q[3] - q[1] + 1)
        if not np.isnan(p[0]) and not np.isnan(q[0]):
            w = min(p[2], q[2]) - max(p[0], q[0]) + 1
            h = min(p[3], q[3]) - max(p[1], q[1]) + 1
            inter += max(w, 0) * max(h, 0)
    return inter / (va + vb - inter) if inter else 0.


def test_segment_viou_equals_plain_loop():
    rng = np.random.default_rng(0)
    for _ in range(20):
        a = np.sort(rng.uniform(0, 50, (12, 2, 2)), 1).transpose(0, 2, 1)
        a = a.reshape(12, 4)[:, [0, 2, 1, 3]]
        b = a + rng.normal(0, 3, a.shape)
        b[:, 2:] = np.maximum(b[:, 2:], b[:, :2])
        a[rng.random(12) < .3] = np.nan
        b[rng.random(12) < .3] = np.nan
        assert segment_viou(a, b) == pytest.approx(plain_viou(a, b), 1e-12)


def test_pairs_and_relation_targets():
    anno = parse_annotation(
        annotation(
            relations=(('person', 'dog', 'left', 5, 40), ('dog', 'person',
                                                          'right', 25, 34),
                       ('person', 'car', 'next_to', 0, 12))))
    seg = build_segment(gt_tracks(anno), (0, 30), 8, anno.relations)
    tids = seg.tids.tolist()
    pairs = {(tids[s], tids[o]) for s, o in seg.pairs}
    # car (0-12) and dog (5-40) share sampled frames 5 and 9
    assert pairs == {(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1)}
    predicates = {
        (tids[s], tids[o]): p
        for (s, o), p in zip(seg.pairs, seg.predicates)
    }
    assert predicates[(0, 1)] == {'left'}  # overlap 25 >= 10
    assert predicates[(1, 0)] == set()  # overlap 5 < 10
    assert predicates[(0, 2)] == {'next_to'}  # overlap 12
    assert seg.boxes.shape == (3, 30, 4) and seg.boxes.dtype == np.float32
    assert np.isnan(seg.boxes[2, 12:]).all()
    assert not np.isnan(seg.boxes[2, :12]).any()


def test_tracklets_take_the_relations_of_their_matched_objects():
    from mmaction_ext.datasets.vidvrd_segments import Track
    anno = parse_annotation(annotation())
    gt = gt_tracks(anno)
    near = Track(7, None, .8, gt[0].boxes + 1)  # vIoU ~0.7 with person
    far = Track(9, 'dog', .6, gt[1].boxes + [30, 0, 30, 0])
    seg = build_segment([near, far], (0, 30), 8, anno.relations, gt)
    assert seg.gt_tids.tolist() == [0, -1]
    assert all(not p for p in seg.predicates)  # (person, far) not a GT pair
    close = Track(8, 'dog', .9, gt[1].boxes)
    seg = build_segment([near, close], (0, 30), 8, anno.relations, gt)
    tids = seg.tids.tolist()
    got = {
        (tids[s], tids[o]): p
        for (s, o), p in zip(seg.pairs, seg.predicates)
    }
    assert got == {(7, 8): {'left'}, (8, 7): set()}


def test_sample_contract(tmp_path):
    dataset = build(tmp_path,
                    [annotation(), annotation('v1', frames=60)], PIPELINE)
    features_for_dataset(dataset)
    assert len(dataset) == 1 + 3
    vocabulary = load_vocabulary('vidvrd')
    assert dataset.metainfo['objects'] == vocabulary.objects
    assert dataset.metainfo['predicates'] == vocabulary.predicates
    sample = dataset[0]
    inputs, data = sample['inputs'], sample['data_samples']
    num_pairs = len(data.pair_tids)
    assert num_pairs == 6
    for key in ('subject_feats', 'object_feats', 'union_feats'):
        assert inputs[key].shape == (num_pairs, 8, 8)
        assert inputs[key].dtype == torch.float32
    assert inputs['frame_feats'].shape == (8, 8)
    assert inputs['motion_feats'].shape == (num_pairs, 8, MOTION_DIMS)
    assert inputs['pair_mask'].shape == (num_pairs, 8)
    assert inputs['pair_mask'].dtype == torch.bool
    assert data.subject_labels.dtype == torch.long
    assert data.subject_labels.shape == (num_pairs, )
    assert data.relation_targets.shape == (num_pairs, 132)
    assert data.relation_targets.dtype == torch.float32
    assert data.pair_tids.dtype == torch.long
    assert data.subject_boxes.shape == (num_pairs, 30, 4)
    assert data.segment == (0, 30) and data.video_id == 'v0'
    frames = data.frame_inds
    assert frames.tolist() == [1, 5, 9, 13, 16, 20, 24, 28]
    # features are the ones of the pair's tracks at the sampled frames
    mask = inputs['pair_mask']
    for p, (s, o) in enumerate(data.pair_tids.tolist()):
        for t, f in enumerate(frames):
            if mask[p, t]:
                assert inputs['subject_feats'][p, t, 0] == 1000 * s + f
                assert inputs['object_feats'][p, t, 0] == 1000 * o + f
                assert inputs['union_feats'][p, t, 0] == \
                    100000 + 1000 * s + 10 * o + f
            else:
                assert not inputs['subject_feats'][p, t].any()
    assert inputs['frame_feats'][:, 0].tolist() == frames.tolist()
    names = dataset.metainfo['objects']
    person = data.pair_tids[:, 0] == 0
    assert {names[i] for i in data.subject_labels[person]} == {'person'}
    left = dataset.metainfo['predicates'].index('left')
    row = data.pair_tids.tolist().index([0, 1])
    assert data.relation_targets[row].nonzero().flatten().tolist() == [left]
    assert torch.equal(
        mask[row], ~torch.isnan(data.subject_boxes[row, frames, 0])
        & ~torch.isnan(data.object_boxes[row, frames, 0]))
    assert (data.subject_scores == 1).all()


def test_test_mode_puts_the_video_ground_truth_on_its_first_sample(tmp_path):
    dataset = build(
        tmp_path, [annotation('v1', frames=60)], PIPELINE, test_mode=True)
    features_for_dataset(dataset)
    samples = [dataset[i]['data_samples'] for i in range(len(dataset))]
    assert [s.segment_index for s in samples] == [0, 1, 2]
    assert all(s.num_segments == 3 for s in samples)
    gt = samples[0].gt_relations
    assert [g['triplet'] for g in gt] == [['person', 'left', 'dog']]
    assert gt[0]['duration'] == [5, 40] and len(gt[0]['sub_traj']) == 35
    assert all('gt_relations' not in s for s in samples[1:])
    from mmaction_ext.datasets.vidvrd_relations import check_relation
    check_relation(gt[0], 'gt', False)  # the metric's own check passes


def test_training_cap_keeps_positive_pairs_first(tmp_path):
    annos = [
        annotation(
            objects=(('person', 0, 40), ('dog', 0, 40), ('car', 0, 40),
                     ('bicycle', 0, 40)),
            relations=(('car', 'bicycle', 'left', 0, 40), ))
    ]
    dataset = build(tmp_path, annos, max_pairs=3)
    np.random.seed(0)
    for _ in range(5):
        info = dataset.get_data_info(0)
        assert info['pair_tids'].shape == (3, 2)
        assert [2, 3] in info['pair_tids'].tolist()
        assert info['relation_targets'].sum() == 1
    assert len(
        build(tmp_path / 't', annos, max_pairs=3,
              test_mode=True).get_data_info(0)['pair_tids']) == 12


def test_skip_segments_without_relations(tmp_path):
    annos = [
        annotation(
            frames=60,
            objects=(('person', 0, 60), ('dog', 0, 60)),
            relations=(('person', 'dog', 'left', 40, 60), ))
    ]
    assert len(build(tmp_path, annos)) == 3
    kept = build(tmp_path / 'b', annos, skip_segments_without_relations=True)
    assert [kept.get_data_info(i)['segment']
            for i in range(len(kept))] == [(30, 60)]


def test_base_split_drops_or_refuses_novel_classes(tmp_path):
    annos = [
        annotation(
            objects=(('person', 0, 40), ('horse', 0, 40)),
            relations=(('person', 'horse', 'left', 0, 40), ('person', 'horse',
                                                            'above', 0, 40)))
    ]
    with pytest.raises(VidVRDFormatError, match=r"v0'.*tid 1.*'horse'"):
        build(tmp_path, annos, object_split='base')
    with pytest.raises(
            VidVRDFormatError,
            match=r"relation_instances\[1\].predicate 'above'"):
        build(tmp_path / 'b', annos, predicate_split='base')
    dataset = build(
        tmp_path / 'c',
        annos,
        object_split='base',
        predicate_split='base',
        out_of_split='drop')
    assert len(dataset) == 0  # one object left: no pair
    dataset = build(
        tmp_path / 'd', annos, predicate_split='base', out_of_split='drop')
    info = dataset.get_data_info(0)
    assert info['relation_targets'].shape[1] == 71
    assert info['relation_targets'].sum() == 1


@pytest.mark.parametrize(
    'edit, message',
    [(lambda a: a.update(frame_count=0, trajectories=[]), 'empty video'),
     (lambda a: a['subject/objects'][0].update(category='unicorn'),
      "category 'unicorn' is not a vidvrd object"),
     (lambda a: a['relation_instances'][0].update(subject_tid=9),
      'subject_tid 9 names no object'),
     (lambda a: a['trajectories'][3][0]['bbox'].update(xmax=500),
      r'trajectories\[3\]\[0\].bbox.*outside the 64x48 frame'),
     (lambda a: a['relation_instances'][0].update(end_fid=99),
      'exceeds frame_count')])
def test_bad_annotations_name_video_and_field(tmp_path, edit, message):
    anno = annotation()
    edit(anno)
    with pytest.raises(VidVRDFormatError, match=message) as err:
        build(tmp_path, [anno])
    assert "'v0'" in str(err.value) and 'v0.json' in str(err.value)


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match='trajectories must be one of'):
        build(tmp_path, [annotation()], trajectories='boxes')
    with pytest.raises(ValueError, match='needs tracklet_file'):
        build(tmp_path, [annotation()], trajectories='tracklets')
    with pytest.raises(ValueError, match='num_frames must be a positive'):
        build(tmp_path, [annotation()], num_frames=0)
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no \\*.json annotation'):
        build(tmp_path, [], ann_file=str(tmp_path / 'empty'))


def test_feature_file_problems_name_the_video(tmp_path):
    dataset = build(tmp_path, [annotation()], PIPELINE)
    with pytest.raises(FileNotFoundError, match="video 'v0': no feature "):
        dataset[0]
    features_for_dataset(dataset, dims=8)
    other = build(
        tmp_path, [annotation()],
        [dict(type='LoadVidVRDSegmentFeatures', feature_dims=16)],
        ann_file=str(tmp_path / 'anno'))
    with pytest.raises(VidVRDFormatError, match='8 dims, the config .* 16'):
        other[0]
    # features written for other segments / trajectories
    shifted = build(tmp_path / 's', [annotation()], PIPELINE, num_frames=4)
    import shutil
    shutil.copytree(tmp_path / 'features', tmp_path / 's' / 'features')
    with pytest.raises(VidVRDFormatError, match="'v0': no features of fra"):
        shifted[0]
    path = osp.join(tmp_path, 'features', 'v0.npz')
    with open(path, 'w') as f:
        f.write('not npz')
    fresh = build(tmp_path / 'x', [annotation()], PIPELINE)
    fresh.data_prefix['features'] = str(tmp_path / 'features')
    with pytest.raises(VidVRDFormatError, match='unreadable feature file'):
        fresh.pipeline(dict(fresh.get_data_info(0), feature_file=path))


def test_tracklet_dataset_errors(tmp_path):
    from mmaction_ext.datasets.vidvrd_tracklets import FORMAT
    track = dict(tid=0, begin_fid=0, boxes=[[1, 1, 5, 5]] * 40, score=.5)

    def with_tracklets(videos, name):
        path = tmp_path / f'{name}.json'
        path.write_text(
            json.dumps(dict(format=FORMAT, version=1, videos=videos)))
        return build(
            tmp_path / name, [annotation()],
            trajectories='tracklets',
            tracklet_file=str(path))

    with pytest.raises(VidVRDFormatError, match="no tracklets of video 'v0'"):
        with_tracklets({}, 'none')
    with pytest.raises(VidVRDFormatError, match=r'\[0, 41\) beyond'):
        with_tracklets(
            dict(v0=[dict(track, boxes=[[1, 1, 5, 5]] * 41)]), 'long')
    with pytest.raises(
            VidVRDFormatError, match="'v0': tracklet tid 0 box of frame 2"):
        boxes = [[1, 1, 5, 5]] * 40
        boxes[2] = [1, 1, 65, 5]
        with_tracklets(dict(v0=[dict(track, boxes=boxes)]), 'outside')
    with pytest.raises(VidVRDFormatError, match='segment \\[5, 35\\] is not'):
        with_tracklets(
            dict(v0=[
                dict(
                    track,
                    begin_fid=5,
                    boxes=[[1, 1, 5, 5]] * 30,
                    segment=[5, 35])
            ]), 'seg')
    with pytest.raises(VidVRDFormatError, match="category 'unicorn'"):
        with_tracklets(dict(v0=[dict(track, category='unicorn')]), 'cls')
    second = dict(track, tid=1, boxes=[[20, 20, 30, 30]] * 40)
    dataset = with_tracklets(dict(v0=[track, second]), 'ok')
    info = dataset.get_data_info(0)
    assert info['pair_tids'].tolist() == [[0, 1], [1, 0]]
    assert info['subject_labels'].tolist() == [-1, -1]
    assert info['subject_scores'].tolist() == [.5, .5]


def test_pair_relation_span_interpolates_tracklet_gaps():
    from mmaction_ext.datasets.vidvrd_segments import pair_relation_span
    sub = np.full((30, 4), np.nan)
    obj = np.full((30, 4), np.nan)
    sub[2:20] = [0, 0, 10, 10]
    sub[6] = np.nan  # a gap of the subject inside the overlap
    sub[5], sub[7] = [0, 0, 10, 10], [4, 0, 14, 10]
    obj[4:25] = [5, 5, 9, 9]
    span = pair_relation_span(torch.from_numpy(sub), obj, begin=15)
    assert span['duration'] == (19, 35)
    assert span['sub_traj'].shape == span['obj_traj'].shape == (16, 4)
    assert span['sub_traj'][2].tolist() == [2, 0, 12, 10]  # frame 6
    assert not np.isnan(span['sub_traj']).any()
    assert pair_relation_span(sub, np.full((30, 4), np.nan), 0) is None


def test_video_without_pairs_keeps_one_empty_test_sample(tmp_path):
    annos = [annotation(objects=(('person', 0, 40), ), relations=())]
    assert len(build(tmp_path / 'train', annos)) == 0
    dataset = build(tmp_path, annos, PIPELINE, test_mode=True)
    features_for_dataset(dataset)
    assert len(dataset) == 1
    sample = dataset[0]
    assert sample['inputs']['subject_feats'].shape == (0, 8, 8)
    assert sample['inputs']['motion_feats'].shape == (0, 8, MOTION_DIMS)
    assert sample['data_samples'].relation_targets.shape == (0, 132)
    assert sample['data_samples'].gt_relations == []
