"""The IoU tracker and the detect-and-track tool (a scripted detector
stands in for mmdet, which needs full mmcv)."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope

import mmaction_ext  # noqa: F401
from mmaction.registry import DATASETS
from mmaction_ext.datasets.synthetic_vidvrd import make_synthetic_vidvrd
from mmaction_ext.datasets.vidvrd_iou_tracker import box_iou, track_detections
from mmaction_ext.datasets.vidvrd_tracklets import load_tracklets

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
init_default_scope('mmaction')


def frames_of(boxes_per_frame):
    return [(np.array([b for b, _, _ in dets]).reshape(-1, 4),
             np.array([s for _, s, _ in dets]), [c for _, _, c in dets])
            for dets in boxes_per_frame]


def test_box_iou_plus_one_convention():
    a = np.array([[0., 0., 9., 9.]])
    b = np.array([[5., 0., 14., 9.], [20., 20., 29., 29.]])
    np.testing.assert_allclose(box_iou(a, b), [[50 / 150, 0.]])


def test_tracks_link_by_class_and_iou():
    dog = [[x, 0, x + 20, 20] for x in range(20)]
    cat = [[40, 40, 60, 60]] * 20
    dets = [[(dog[f], .8, 'dog'), (cat[f], .6 if f % 2 else .4, 'cat')]
            for f in range(20)]
    dets[7] = [(cat[7], .6, 'cat')]  # the dog missed on frame 7
    dets[12] = [(dog[12], .8, 'dog'), (cat[12], .5, 'bird')]  # other class
    split = track_detections(frames_of(dets), min_length=3)
    assert [(t.category, t.begin, t.end) for t in split] == [
        ('dog', 0, 7), ('cat', 0, 12), ('dog', 8, 20), ('cat', 13, 20)
    ]  # the one-frame 'bird' track is too short
    bridged = track_detections(frames_of(dets), max_gap=1, min_length=3)
    dog_track = bridged[0]
    assert (dog_track.begin, dog_track.end) == (0, 20)
    assert np.isnan(dog_track.boxes[7]).all()
    assert dog_track.boxes[8].tolist() == dog[8]
    assert dog_track.score == pytest.approx(.8)
    assert [t.tid for t in bridged] == list(range(len(bridged)))
    # the short 'bird' track and tiny boxes are dropped
    assert all(t.category != 'bird' for t in bridged)
    tiny = [[([0, 0, 2, 2], .9, 'ant')] for _ in range(20)]
    assert track_detections(frames_of(tiny)) == []


def test_tool_builds_tracklets_that_match_the_ground_truth(tmp_path, capsys):
    root = tmp_path / 'data'
    make_synthetic_vidvrd(
        str(root), seed=2, num_train=1, num_test=0, num_frames=30, width=64)
    anno_dir = root / 'annotations' / 'train'
    anno = json.load(open(next(anno_dir.glob('*.json'))))
    names = {o['tid']: o['category'] for o in anno['subject/objects']}
    calls = []

    def detect(frames):  # the annotation's boxes, continuous xyxy
        out = []
        for _ in frames:
            f = len(calls)
            calls.append(f)
            entries = anno['trajectories'][f]
            boxes = [[
                e['bbox']['xmin'], e['bbox']['ymin'], e['bbox']['xmax'] + 1,
                e['bbox']['ymax'] + 1
            ] for e in entries]
            out.append((np.array(boxes).reshape(-1, 4), [.9] * len(entries),
                        [f'coco_{names[e["tid"]]}' for e in entries]))
        return out

    spec = importlib.util.spec_from_file_location(
        'build_tracklets', osp.join(ROOT, 'tools', 'sage',
                                    'build_tracklets.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    class_map = tmp_path / 'map.json'
    class_map.write_text(
        json.dumps({f'coco_{c}': c
                    for c in set(names.values())}))
    out = str(tmp_path / 'det.json')
    args = [
        str(anno_dir),
        str(root / 'videos'), 'det.py', 'det.pth', out, '--class-map',
        str(class_map), '--batch', '7'
    ]
    assert tool.main(args, detect) == 0
    assert len(calls) == 30
    assert tool.run_tool(lambda: tool.main(args, detect)) == 1
    assert 'not overwriting' in capsys.readouterr().err
    (vid, tracklets), = load_tracklets(out).items()
    assert sorted(t.category for t in tracklets) == sorted(names.values())

    def dataset(**kwargs):
        return DATASETS.build(
            dict(
                type='VidVRDSegmentDataset',
                ann_file=str(anno_dir),
                pipeline=[],
                **kwargs))

    gt = dataset().get_data_info(0)
    det = dataset(trajectories='tracklets', tracklet_file=out).get_data_info(0)
    tid_of = {}  # tracklet tid -> gt tid, by equal boxes
    for t in tracklets:
        for g, c in names.items():
            boxes = np.array(
                [[e['bbox'][k] for k in ('xmin', 'ymin', 'xmax',
                                         'ymax')] if e else [np.nan] * 4
                 for e in (next((e for e in frame if e['tid'] == g), None)
                           for frame in anno['trajectories'][t.begin:t.end])])
            if np.allclose(boxes, t.boxes, equal_nan=True):
                tid_of[t.tid] = g
    assert len(tid_of) == len(names)
    det_targets = {
        (tid_of[s], tid_of[o]): row
        for (s,
             o), row in zip(det['pair_tids'].tolist(), det['relation_targets'])
    }
    for (s, o), row in zip(gt['pair_tids'].tolist(), gt['relation_targets']):
        assert np.array_equal(det_targets[(s, o)], row)
