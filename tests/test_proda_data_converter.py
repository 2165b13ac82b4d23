"""Action Genome + Charades -> scene graphs
(tools/data/ag_charades_to_scene_graphs.py), on tiny files written here in
the official layouts."""
import copy
import csv
import os
import os.path as osp
import pickle
import sys

import cv2
import numpy as np
import pytest

import mmaction_ext  # noqa: F401
from mmaction_ext.datasets import SceneGraphVideoDataset
from mmaction_ext.datasets.label_maps import load_label_map
from mmaction_ext.fileio import safe_load
from mmaction_ext.utils import BadInputError

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
import ag_charades_to_scene_graphs as tool  # noqa: E402

WIDTH, HEIGHT, FPS, FRAMES = 64, 48, 10, 30
CSV_COLUMNS = ('id,subject,scene,quality,relevance,verified,script,objects,'
               'descriptions,actions,length').split(',')
# Row of each video: (scene, actions, length in seconds).
CHARADES = dict(
    train=dict(
        VID01=('Kitchen', 'c092 0.50 1.20;c147 0.00 9.00', 3.0),
        VID02=('Home Office / Study (A room in a house used for work)',
               'c000 1.00 2.00', 3.0)),
    test=dict(VID03=('Bedroom', '', 3.0)))


def obj(cls,
        bbox,
        attention=(),
        spatial=(),
        contacting=(),
        split='train',
        visible=True):
    """One AG object entry (bbox is xywh)."""
    return {
        'class': cls,
        'bbox': None if bbox is None else tuple(map(float, bbox)),
        'attention_relationship': list(attention) or None,
        'spatial_relationship': list(spatial) or None,
        'contacting_relationship': list(contacting) or None,
        'visible': visible,
        'metadata': {
            'tag': '',
            'set': split
        },
    }


def person(*boxes, scores=None):
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    return {
        'bbox':
        boxes,
        'bbox_score':
        np.asarray(
            scores if scores is not None else np.ones(len(boxes)), np.float32),
        'bbox_size': (WIDTH, HEIGHT),
        'bbox_mode':
        'xyxy',
    }


def ag_annotations():
    """Frame key -> (person entry, objects) of three videos."""
    return {
        'VID01.mp4/000001.png': (person([1, 2, 20, 40]), [
            obj('cup/glass/bottle', [10, 10, 5, 6], ['looking_at'],
                ['in_front_of'], ['holding']),
            obj('table', [30, 20, 30, 20], ['not_looking_at'], ['beneath'],
                ['not_contacting'])
        ]),
        # two person boxes (higher score kept), a box past the right edge
        'VID01.mp4/000011.png':
        (person([0, 0, 10, 10], [2, 3, 22, 43], scores=[0.2, 0.9]), [
            obj('cup/glass/bottle', [50, 10, 30, 6], ['looking_at'], (),
                ['drinking_from']),
            obj('table', None, visible=False)
        ]),
        'VID01.mp4/000021.png': (person(), [
            obj('table', [30, 20, 30, 20], ['unsure'], ['beneath'],
                ['touching'])
        ]),
        'VID02.mp4/000005.png': (person([1, 1, 30, 40]), [
            obj('laptop', [5, 5, 10, 10], ['looking_at'], ['in_front_of'],
                ['touching'])
        ]),
        'VID03.mp4/000003.png': (person([1, 1, 30, 40]), [
            obj('book', [5, 5, 10, 10], ['looking_at'], (), ['holding'],
                split='test')
        ]),
    }


def write_video(path, frames=FRAMES):
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), FPS,
                             (WIDTH, HEIGHT))
    for i in range(frames):
        writer.write(np.full((HEIGHT, WIDTH, 3), i * 8 % 256, np.uint8))
    writer.release()


@pytest.fixture(scope='module')
def video_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp('videos')
    for video in ('VID01', 'VID02', 'VID03'):
        write_video(str(folder / f'{video}.mp4'))
    return str(folder)


def write_inputs(folder, annotations=None, charades=None):
    """Write the AG pkls and Charades CSVs; returns (ag_dir, csv_dir)."""
    annotations = ag_annotations() if annotations is None else annotations
    charades = CHARADES if charades is None else charades
    ag_dir, csv_dir = folder / 'ag', folder / 'charades'
    ag_dir.mkdir()
    csv_dir.mkdir()
    with open(ag_dir / 'person_bbox.pkl', 'wb') as f:
        pickle.dump({k: p for k, (p, _) in annotations.items() if p}, f)
    with open(ag_dir / 'object_bbox_and_relationship.pkl', 'wb') as f:
        pickle.dump({k: o for k, (_, o) in annotations.items()}, f)
    for split, rows in charades.items():
        with open(csv_dir / f'Charades_v1_{split}.csv', 'w', newline='') as f:
            writer = csv.DictWriter(f, CSV_COLUMNS)
            writer.writeheader()
            for vid, (scene, actions, length) in rows.items():
                writer.writerow(
                    dict.fromkeys(CSV_COLUMNS, '') | dict(
                        id=vid, scene=scene, actions=actions, length=length))
    return str(ag_dir), str(csv_dir)


def run(monkeypatch, ag_dir, csv_dir, video_dir, out_dir, *extra):
    monkeypatch.setattr(sys, 'argv', [
        'x', '--ag-dir', ag_dir, '--charades-dir', csv_dir, '--video-dir',
        video_dir, '--out-dir', out_dir, *extra
    ])
    return tool.main()


@pytest.fixture(scope='module')
def converted(tmp_path_factory, video_dir):
    folder = tmp_path_factory.mktemp('convert')
    ag_dir, csv_dir = write_inputs(folder)
    out_dir = str(folder / 'out')
    with pytest.MonkeyPatch.context() as mp:
        assert run(mp, ag_dir, csv_dir, video_dir, out_dir) == 0
    return {
        s: safe_load(osp.join(out_dir, f'{s}.pkl'))
        for s in ('train', 'test')
    }


def test_video_entries_follow_the_annotations(converted):
    train = converted['train']
    objects = load_label_map('action_genome_objects')
    relations = load_label_map('action_genome_relations')
    assert train['metainfo']['classes'] == tuple(load_label_map('charades'))
    assert [v['video_id'] for v in train['data_list']] == ['VID01', 'VID02']
    video = train['data_list'][0]
    assert video['fps'] == FPS and video['num_frames'] == FRAMES
    assert video['img_shape'] == (HEIGHT, WIDTH)
    np.testing.assert_array_equal(video['frame_inds'], [0, 10, 20])
    cup, table = objects.index('cupglassbottle'), objects.index('table')
    np.testing.assert_array_equal(video['slot_classes'], [0, cup, table])
    np.testing.assert_array_equal(video['box_mask'],
                                  [[1, 1, 1], [1, 1, 0], [0, 0, 1]])
    # xywh -> xyxy; the top-scoring person; cup clipped to the 64 px width
    np.testing.assert_allclose(video['boxes'][0, 1], [10, 10, 15, 16])
    np.testing.assert_allclose(video['boxes'][1, 0], [2, 3, 22, 43])
    np.testing.assert_allclose(video['boxes'][1, 1], [50, 10, 64, 16])
    rows = {tuple(r) for r in video['relations'].tolist()}
    expected = {(0, 0, 1, 'lookingat'), (0, 0, 1, 'infrontof'),
                (0, 0, 1, 'holding'), (0, 0, 2, 'notlookingat'),
                (0, 0, 2, 'beneath'), (0, 0, 2, 'notcontacting'),
                (1, 0, 1, 'lookingat'), (1, 0, 1, 'drinkingfrom'),
                (2, 0, 2, 'unsure'), (2, 0, 2, 'beneath'),
                (2, 0, 2, 'touching')}
    assert rows == {(k, j, s, relations.index(r)) for k, j, s, r in expected}
    assert video['label'] == [92, 147]
    # c147 ends at 9.0 s, past the 3 s video: clipped
    assert video['action_intervals'] == [(92, 0.5, 1.2), (147, 0.0, 3.0)]
    assert video['scene'] == 'Kitchen'


def test_both_splits_share_num_slots(converted):
    assert [v['video_id'] for v in converted['test']['data_list']] == ['VID03']
    assert converted['train']['metainfo']['num_slots'] == 3
    assert converted['test']['metainfo']['num_slots'] == 3


def test_summary_counts_what_was_handled(tmp_path, video_dir, monkeypatch,
                                         capsys):
    ag_dir, csv_dir = write_inputs(tmp_path)
    assert run(monkeypatch, ag_dir, csv_dir, video_dir,
               str(tmp_path / 'out')) == 0
    out = capsys.readouterr().out
    for line in ('boxes clipped to the frame: 1',
                 'invisible objects (no box, relations unused): 1',
                 'keyframes with several person boxes (top kept): 1',
                 'keyframes without a person box: 1',
                 'action intervals clipped to the video: 1',
                 'train: 2 videos, 4 keyframes'):
        assert line in out


def test_converted_file_loads_in_the_dataset(converted, tmp_path):
    path = str(tmp_path / 'train.pkl')
    with open(path, 'wb') as f:
        pickle.dump(converted['train'], f)
    dataset = SceneGraphVideoDataset(
        path,
        pipeline=[
            dict(type='SampleSceneGraphFrames', num_frames=4, test_mode=True),
            dict(
                type='LoadSceneGraphNodeFeatures', source='random', feat_dim=8)
        ])
    sample = dataset[0]
    assert sample['node_feats'].shape == (4, 3, 8)
    assert sample['relations'].shape == (4, 3, 3, 26)
    assert sample['label'].shape == (157, )
    assert sample['label'][[92, 147]].tolist() == [1, 1]
    assert sample['action_segments'] == [(92, 5, 12), (147, 0, 30)]


def bad_case(name):
    """AG annotations and Charades rows with one problem; expected text."""
    ann, rows = ag_annotations(), copy.deepcopy(CHARADES)
    if name == 'missing frame':
        ann['VID02.mp4/000005.png'] = (None, ann['VID02.mp4/000005.png'][1])
        return ann, rows, 'frame VID02.mp4/000005.png is in object'
    if name == 'frame past the video':
        ann['VID02.mp4/000031.png'] = ann.pop('VID02.mp4/000005.png')
        return ann, rows, 'VID02.mp4/000031.png is missing from the video'
    if name == 'box outside the frame':
        ann['VID02.mp4/000005.png'][1][0]['bbox'] = (70., 5., 10., 10.)
        return ann, rows, 'video VID02 frame VID02.mp4/000005.png (laptop)'
    if name == 'no objects':
        ann['VID02.mp4/000005.png'] = (ann['VID02.mp4/000005.png'][0],
                                       [obj('laptop', None, visible=False)])
        return ann, rows, 'video VID02: has no visible object'
    if name == 'not in the csv':
        del rows['train']['VID02']
        return ann, rows, ('video VID02: frame VID02.mp4/000005.png is an '
                           'Action Genome train frame, but the video is not '
                           'in the Charades train CSV')
    if name == 'unknown relation':
        ann['VID02.mp4/000005.png'][1][0]['spatial_relationship'] = ['atop']
        return ann, rows, ("VID02.mp4/000005.png (laptop): unknown relation "
                           "'atop'")
    raise KeyError(name)


BAD_CASES = ('missing frame', 'frame past the video', 'box outside the frame',
             'no objects', 'not in the csv', 'unknown relation')


@pytest.mark.parametrize('case', BAD_CASES)
def test_bad_video_is_named_or_skipped_and_listed(case, tmp_path, video_dir,
                                                  monkeypatch, capsys):
    ann, rows, message = bad_case(case)
    ag_dir, csv_dir = write_inputs(tmp_path, ann, rows)
    out_dir = str(tmp_path / 'out')
    with pytest.raises(BadInputError, match='1 bad video') as err:
        run(monkeypatch, ag_dir, csv_dir, video_dir, out_dir)
    assert message in str(err.value)
    assert not osp.exists(out_dir)
    assert run(monkeypatch, ag_dir, csv_dir, video_dir, out_dir,
               '--skip-bad') == 0
    captured = capsys.readouterr()
    assert 'videos left out (bad input): 1' in captured.out
    assert message in captured.err
    kept = safe_load(osp.join(out_dir, 'train.pkl'))['data_list']
    assert [v['video_id'] for v in kept] == ['VID01']


def test_missing_video_file_is_named(tmp_path, monkeypatch):
    ag_dir, csv_dir = write_inputs(tmp_path)
    videos = tmp_path / 'videos'
    videos.mkdir()
    write_video(str(videos / 'VID01.mp4'))
    write_video(str(videos / 'VID03.mp4'))
    with pytest.raises(
            BadInputError, match=r'video VID02: .*VID02.mp4 not '
            'found'):
        run(monkeypatch, ag_dir, csv_dir, str(videos), str(tmp_path / 'o'))


def test_label_outside_157_names_file_line_and_video(tmp_path, video_dir,
                                                     monkeypatch):
    rows = copy.deepcopy(CHARADES)
    rows['train']['VID02'] = ('Kitchen', 'c157 1.00 2.00', 3.0)
    ag_dir, csv_dir = write_inputs(tmp_path, charades=rows)
    with pytest.raises(
            BadInputError,
            match=r'Charades_v1_train.csv:3 \(video VID02\): '
            'action id c157 is outside'):
        run(monkeypatch, ag_dir, csv_dir, video_dir, str(tmp_path / 'o'))


def test_existing_output_is_kept_without_overwrite(tmp_path, video_dir,
                                                   monkeypatch):
    ag_dir, csv_dir = write_inputs(tmp_path)
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'train.pkl').write_bytes(b'mine')
    with pytest.raises(BadInputError, match='--overwrite'):
        run(monkeypatch, ag_dir, csv_dir, video_dir, str(out))
    assert (out / 'train.pkl').read_bytes() == b'mine'
    assert run(monkeypatch, ag_dir, csv_dir, video_dir, str(out),
               '--overwrite') == 0
    assert safe_load(str(out / 'train.pkl'))['metainfo']['split'] == 'train'


def test_bundled_class_lists_have_the_official_sizes():
    assert len(load_label_map('charades')) == 157
    assert len(load_label_map('action_genome_objects')) == 36
    assert load_label_map('action_genome_objects')[0] == 'person'
    assert len(load_label_map('action_genome_relations')) == 26


@pytest.mark.slow
def test_tool_reports_a_bad_video_in_one_line(tmp_path, video_dir):
    import subprocess
    ann, rows, message = bad_case('no objects')
    ag_dir, csv_dir = write_inputs(tmp_path, ann, rows)
    result = subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'data',
                 'ag_charades_to_scene_graphs.py'), '--ag-dir', ag_dir,
        '--charades-dir', csv_dir, '--video-dir', video_dir, '--out-dir',
        str(tmp_path / 'out')
    ],
                            capture_output=True,
                            text=True,
                            cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=ROOT))
    assert result.returncode == 1
    # after the progress bar: one error message, no traceback
    assert '\nerror: 1 bad video' in result.stderr
    assert message in result.stderr
    assert 'Traceback' not in result.stderr
    assert not osp.exists(tmp_path / 'out')


def test_repeated_class_in_a_frame_is_merged_and_counted(
        tmp_path, video_dir, monkeypatch, capsys):
    ann = ag_annotations()
    ann['VID01.mp4/000001.png'][1].append(
        obj('table', [0, 0, 5, 5], (), (), ['sitting_on']))
    ag_dir, csv_dir = write_inputs(tmp_path, ann)
    out = str(tmp_path / 'out')
    assert run(monkeypatch, ag_dir, csv_dir, video_dir, out) == 0
    assert 'repeated object classes in a frame (merged): 1' in (
        capsys.readouterr().out)
    video = safe_load(osp.join(out, 'train.pkl'))['data_list'][0]
    np.testing.assert_allclose(video['boxes'][0, 2], [30, 20, 60, 40])
    sitting = load_label_map('action_genome_relations').index('sittingon')
    assert [0, 0, 2, sitting] in video['relations'].tolist()
