"""Tracklet files: format checks, RePro / OV-MMP converters (tiny files in
their released layouts) and the conversion tool into a training dataset."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
from sage_data_helpers import annotation, write_annotations

from mmaction_ext.datasets.vidvrd_annotation import VidVRDFormatError
from mmaction_ext.datasets.vidvrd_tracklets import (
    FORMAT, convert_mmp_tracklets, convert_repro_tracklets, load_tracklets,
    parse_tracklets, tracklets_to_json)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
B = [1, 2, 11, 12]


def tracklet_file(videos):
    return dict(format=FORMAT, version=1, videos=videos)


def test_parse_and_round_trip():
    data = tracklet_file(
        dict(v0=[
            dict(
                tid=3,
                begin_fid=4,
                boxes=[B, None, B],
                score=.7,
                category='dog',
                segment=[0, 30])
        ]))
    videos = parse_tracklets(data)
    t = videos['v0'][0]
    assert (t.tid, t.begin, t.end, t.score, t.category, t.segment) == \
        (3, 4, 7, .7, 'dog', (0, 30))
    assert np.isnan(t.boxes[1]).all() and t.boxes[2].tolist() == B
    assert tracklets_to_json(videos) == data


@pytest.mark.parametrize('entry, message', [
    (dict(begin_fid=0, boxes=[B]), r"lacks \['tid'\]"),
    (dict(tid=0, begin_fid=-1, boxes=[B]), 'begin_fid must be an integer'),
    (dict(tid=0, begin_fid=0, boxes=[]), 'non-empty list'),
    (dict(tid=0, begin_fid=0, boxes=[None]), 'holds no box'),
    (dict(tid=0, begin_fid=0, boxes=[[5, 5, 1, 1]]), 'xmin > xmax'),
    (dict(tid=0, begin_fid=0, boxes=[B], score='high'), 'score must be'),
    (dict(tid=0, begin_fid=0, boxes=[B], segment=[30, 0]), 'segment must'),
    (dict(tid=0, begin_fid=29, boxes=[B, B],
          segment=[0, 30]), r'\[29, 31\) outside its segment \[0, 30\]'),
])
def test_bad_tracklets_name_video_and_field(entry, message):
    with pytest.raises(VidVRDFormatError, match=message) as err:
        parse_tracklets(tracklet_file(dict(v7=[entry])), 'dets.json')
    assert "dets.json: video 'v7': tracklets[0]" in str(err.value)


def test_bad_files_are_refused():
    with pytest.raises(VidVRDFormatError, match='not a tracklet file'):
        parse_tracklets(dict(v0=[]))
    with pytest.raises(VidVRDFormatError, match='version 2 is not 1'):
        parse_tracklets(dict(format=FORMAT, version=2, videos={}))
    entry = dict(tid=1, begin_fid=0, boxes=[B])
    with pytest.raises(VidVRDFormatError, match='tid 1 is used twice'):
        parse_tracklets(tracklet_file(dict(v0=[entry, entry])))


def write_repro(folder):
    """Two segment files of one video in RePro's layout."""
    folder.mkdir()
    (folder / 'vidA-0000-0030.json').write_text(
        json.dumps([
            dict(fstart=2, score=.9, bboxes=[B] * 20, label=5),
            dict(fstart=0, score=.4, bboxes=[[3, 3, 9, 9]] * 30, label=7)
        ]))
    (folder / 'vidA-0015-0045.json').write_text(
        json.dumps([dict(fstart=0, score=.8, bboxes=[B] * 30, label=5)]))
    return str(folder)


def test_repro_segment_files(tmp_path):
    videos = convert_repro_tracklets(
        write_repro(tmp_path / 'repro'), {
            5: 'dog',
            7: 'person'
        })
    tracks = videos['vidA']
    assert [(t.tid, t.begin, t.end, t.segment, t.category)
            for t in tracks] == [(0, 2, 22, (0, 30), 'dog'),
                                 (1, 0, 30, (0, 30), 'person'),
                                 (2, 15, 45, (15, 45), 'dog')]
    assert convert_repro_tracklets(str(tmp_path / 'repro'))['vidA'][0]. \
        category is None
    with pytest.raises(VidVRDFormatError, match='label 5 has no name'):
        convert_repro_tracklets(str(tmp_path / 'repro'), {7: 'person'})
    (tmp_path / 'repro' / 'vidA-0030-0060.json').write_text(
        json.dumps([dict(fstart=10, bboxes=[B] * 25)]))
    with pytest.raises(VidVRDFormatError, match='outside its segment'):
        convert_repro_tracklets(str(tmp_path / 'repro'))
    (tmp_path / 'bad').mkdir()
    (tmp_path / 'bad' / 'vidA.json').write_text('[]')
    with pytest.raises(VidVRDFormatError, match='<video>-<begin>-<end>'):
        convert_repro_tracklets(str(tmp_path / 'bad'))


def test_mmp_trajectories(tmp_path):
    path = tmp_path / 'test_object_trajectories_meta.json'
    path.write_text(
        json.dumps(
            dict(vidB=[
                dict(
                    category='dog',
                    score=.6,
                    tid=4,
                    begin_fid=10,
                    end_fid=13,
                    trajectory={
                        '10': B,
                        '12': B
                    })
            ])))
    t = convert_mmp_tracklets(str(path))['vidB'][0]
    assert (t.tid, t.begin, t.end, t.category) == (4, 10, 13, 'dog')
    assert np.isnan(t.boxes[1]).all()
    data = json.loads(path.read_text())
    data['vidB'][0]['trajectory']['13'] = B
    path.write_text(json.dumps(data))
    with pytest.raises(VidVRDFormatError, match="frame '13' is outside"):
        convert_mmp_tracklets(str(path))


def load_tool():
    spec = importlib.util.spec_from_file_location(
        'convert_tracklets',
        osp.join(ROOT, 'tools', 'sage', 'convert_tracklets.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_converter_to_training_dataset(tmp_path, capsys):
    from mmaction.registry import DATASETS
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    tool = load_tool()
    names = tmp_path / 'names.json'
    names.write_text(json.dumps({'5': 'dog', '7': 'person'}))
    out = str(tmp_path / 'tracklets' / 'det.json')
    repro = write_repro(tmp_path / 'repro')
    assert tool.main(['repro', repro, out, '--class-names', str(names)]) == 0
    assert 'det.json: 3 tracklets of 1 videos' in capsys.readouterr().out
    before = open(out).read()
    assert tool.run_tool(lambda: tool.main(['repro', repro, out])) == 1
    assert 'exists; not overwriting' in capsys.readouterr().err
    assert open(out).read() == before
    assert set(load_tracklets(out)) == {'vidA'}
    anno = annotation(
        'vidA',
        frames=45,
        objects=(('person', 0, 45), ('dog', 0, 45)),
        relations=(('person', 'dog', 'left', 0, 45), ))
    dataset = DATASETS.build(
        dict(
            type='VidVRDSegmentDataset',
            ann_file=write_annotations(tmp_path / 'anno', [anno]),
            pipeline=[],
            trajectories='tracklets',
            tracklet_file=out,
            object_split='base',
            predicate_split='base',
            out_of_split='drop'))
    first = dataset.get_data_info(0)
    assert first['segment'] == (0, 30)
    assert first['pair_tids'].tolist() == [[0, 1], [1, 0]]  # its own only
    assert len(dataset) == 1 + 0  # segment (15, 45) has one tracklet only
