"""VidVRD / VidOR class lists and annotation loaders."""
import copy
import json

import numpy as np
import pytest

from mmaction_ext.datasets import (VidVRDFormatError, load_groundtruth,
                                   load_predictions, load_video_annotation,
                                   load_vocabulary, parse_annotation,
                                   parse_predictions, relation_groundtruth,
                                   segment_video)
from mmaction_ext.datasets.label_maps import load_label_map


@pytest.mark.parametrize('dataset,objects,predicates', [
    ('vidvrd', (35, 25, 10), (132, 71, 61)),
    ('vidor', (80, 50, 30), (50, 30, 20)),
])
def test_class_lists_and_split_counts(dataset, objects, predicates):
    vocab = load_vocabulary(dataset)
    assert len(vocab.objects) == len(set(vocab.objects)) == objects[0]
    assert len(vocab.objects_of('base')) == objects[1]
    assert len(vocab.objects_of('novel')) == objects[2]
    assert len(vocab.predicates) == len(set(vocab.predicates)) == \
        predicates[0]
    assert len(vocab.predicates_of('base')) == predicates[1]
    assert len(vocab.predicates_of('novel')) == predicates[2]
    assert load_label_map(f'{dataset}_objects') == list(vocab.objects)
    assert '__background__' not in vocab.objects


def test_vidvrd_novel_objects_are_repros():
    assert load_vocabulary('vidvrd').objects_of('novel') == {
        'horse', 'watercraft', 'giant_panda', 'fox', 'red_panda', 'cattle',
        'motorcycle', 'bear', 'antelope', 'lizard'
    }


def test_eval_split_keeps_all_objects():
    vocab = load_vocabulary('vidvrd')
    objects, predicates = vocab.eval_classes('novel')
    assert len(objects) == 35 and len(predicates) == 61
    with pytest.raises(ValueError, match="'rare'"):
        vocab.eval_classes('rare')
    with pytest.raises(ValueError, match="'ava'"):
        load_vocabulary('ava')


def test_segment_video_is_helpers():
    assert segment_video(0, 75) == [(0, 30), (15, 45), (30, 60), (45, 75)]
    assert segment_video(0, 29) == []


def box(x, y, w=10, h=10):
    return dict(xmin=x, ymin=y, xmax=x + w, ymax=y + h)


def annotation():
    """A 4-frame video: person 0 rides bicycle 1 on frames 1-2."""
    return {
        'video_id':
        'ILSVRC2015_train_0001',
        'frame_count':
        4,
        'fps':
        30,
        'width':
        64,
        'height':
        48,
        'subject/objects': [{
            'tid': 0,
            'category': 'person'
        }, {
            'tid': 1,
            'category': 'bicycle'
        }],
        'trajectories': [[{
            'tid': 0,
            'bbox': box(0, 0)
        }], [{
            'tid': 0,
            'bbox': box(1, 0)
        }, {
            'tid': 1,
            'bbox': box(5, 20)
        }], [{
            'tid': 0,
            'bbox': box(2, 0)
        }, {
            'tid': 1,
            'bbox': box(6, 20)
        }], []],
        'relation_instances': [{
            'subject_tid': 0,
            'object_tid': 1,
            'predicate': 'ride',
            'begin_fid': 1,
            'end_fid': 3
        }]
    }


def test_load_annotation_and_relation_instances(tmp_path):
    path = tmp_path / 'video.json'
    path.write_text(json.dumps(annotation()))
    anno = load_video_annotation(str(path), load_vocabulary('vidvrd'))
    assert anno.frame_count == 4 and anno.fps == 30.
    assert np.isnan(anno.boxes[1][0]).all()
    [inst] = relation_groundtruth([anno])['ILSVRC2015_train_0001']
    assert inst['triplet'] == ('person', 'ride', 'bicycle')
    assert inst['duration'] == (1, 3)
    np.testing.assert_array_equal(inst['sub_traj'],
                                  [[1, 0, 11, 10], [2, 0, 12, 10]])
    np.testing.assert_array_equal(inst['obj_traj'],
                                  [[5, 20, 15, 30], [6, 20, 16, 30]])


def broken(edit):
    data = annotation()
    edit(data)
    return data


BAD_ANNOTATIONS = [
    ('empty video', lambda d: d.update(frame_count=0, trajectories=[]),
     'empty video'),
    ('frame count', lambda d: d.update(frame_count=5), 'frame_count is 5'),
    ('missing tid', lambda d: d['relation_instances'][0].update(object_tid=7),
     r'relation_instances\[0\]\.object_tid 7'),
    ('unknown predicate',
     lambda d: d['relation_instances'][0].update(predicate='juggle'),
     r"predicate 'juggle' is not a vidvrd"),
    ('unknown object',
     lambda d: d['subject/objects'][1].update(category='unicorn'),
     r"subject/objects\[1\]\.category 'unicorn'"),
    ('box outside', lambda d: d['trajectories'][2][1]['bbox'].update(xmax=70),
     r'trajectories\[2\]\[1\]\.bbox .* outside the 64x48'),
    ('box order', lambda d: d['trajectories'][0][0]['bbox'].update(xmin=30),
     r'trajectories\[0\]\[0\]\.bbox .* xmin > xmax'),
    ('object absent', lambda d: d['relation_instances'][0].update(begin_fid=0),
     r'object_tid 1 has no box in frame 0'),
    ('span', lambda d: d['relation_instances'][0].update(end_fid=9),
     r'\[1, 9\) is empty or exceeds frame_count 4'),
    ('undeclared box',
     lambda d: d['trajectories'][3].append(dict(tid=4, bbox=box(0, 0))),
     r'trajectories\[3\]\[0\]\.tid 4'),
    ('missing key', lambda d: d['relation_instances'][0].pop('predicate'),
     r"relation_instances\[0\] lacks \['predicate'\]"),
    ('float frame', lambda d: d['relation_instances'][0].update(begin_fid=1.5),
     r'begin_fid must be an integer'),
    ('two boxes',
     lambda d: d['trajectories'][0].append(dict(tid=0, bbox=box(0, 0))),
     r'tid 0 has two boxes'),
]


@pytest.mark.parametrize(
    'name,edit,message',
    BAD_ANNOTATIONS,
    ids=[case[0] for case in BAD_ANNOTATIONS])
def test_bad_annotation_names_video_and_field(name, edit, message):
    with pytest.raises(
            VidVRDFormatError,
            match=f"video 'ILSVRC2015_train_0001'.*{message}"):
        parse_annotation(broken(edit), 'a.json', load_vocabulary('vidvrd'))


def test_malformed_json_names_file_and_line(tmp_path):
    path = tmp_path / 'video.json'
    path.write_text('{"video_id": "v",\n "frame_count": }')
    with pytest.raises(
            VidVRDFormatError, match=r'video\.json: malformed '
            r'JSON at line 2'):
        load_video_annotation(str(path))


def prediction(**changes):
    inst = dict(
        triplet=['person', 'ride', 'bicycle'],
        score=0.5,
        duration=[1, 3],
        sub_traj=[[1, 0, 11, 10]] * 2,
        obj_traj=[[5, 20, 15, 30]] * 2)
    inst.update(changes)
    return {'version': 'VERSION 1.0', 'results': {'v': [inst]}}


BAD_PREDICTIONS = [
    ('length', dict(sub_traj=[[1, 0, 11, 10]]),
     r'sub_traj has 1 boxes but the duration spans 2 frames'),
    ('class', dict(triplet=['person', 'ride', 'unicorn']),
     r"object 'unicorn' is not a vidvrd class"),
    ('score', dict(score=float('nan')), r'score must be a finite number'),
    ('duration', dict(duration=[3, 3]), r'duration must be \[begin, end\)'),
    ('box', dict(obj_traj=[[5, 20, 1, 30]] * 2),
     r'obj_traj\[0\] .* xmin > xmax'),
    ('triplet', dict(triplet=['person', 'ride']), r'triplet must be'),
    # numpy would read these as numbers: the plain-number check must not
    ('bool', dict(sub_traj=[[1, 0, 11, 10], [True, 0, 11, 10]]),
     r'sub_traj\[1\] must be 4 finite numbers'),
    ('string', dict(sub_traj=[[1, 0, 11, 10], ['1', 0, 11, 10]]),
     r'sub_traj\[1\] must be 4 finite numbers'),
    ('inf', dict(obj_traj=[[5, 20, 15, 30], [5, 20, float('inf'), 30]]),
     r'obj_traj\[1\] must be 4 finite numbers'),
    ('five', dict(obj_traj=[[5, 20, 15, 30, 1]] * 2),
     r'obj_traj\[0\] must be 4 finite numbers'),
]


@pytest.mark.parametrize(
    'name,changes,message',
    BAD_PREDICTIONS,
    ids=[case[0] for case in BAD_PREDICTIONS])
def test_bad_prediction_names_video_and_field(name, changes, message):
    with pytest.raises(
            VidVRDFormatError,
            match=f"p.json: video 'v': relation 0.*{message}"):
        parse_predictions(
            prediction(**changes), 'p.json', load_vocabulary('vidvrd'))


def test_prediction_and_groundtruth_files(tmp_path):
    pred = prediction()
    (tmp_path / 'p.json').write_text(json.dumps(pred))
    results = load_predictions(str(tmp_path / 'p.json'))
    assert results['v'][0]['sub_traj'].shape == (2, 4)
    gt = {
        'v': [{
            k: v
            for k, v in pred['results']['v'][0].items() if k != 'score'
        }]
    }
    (tmp_path / 'g.json').write_text(json.dumps(gt))
    assert load_groundtruth(str(tmp_path / 'g.json'))['v'][0]['duration'] \
        == (1, 3)
    no_results = copy.deepcopy(pred)
    no_results.pop('results')
    with pytest.raises(VidVRDFormatError, match='"results"'):
        parse_predictions(no_results, 'p.json')
