"""SportsHHI dataset in the official file layout, and ProDA specifications."""
import json
import pickle

import numpy as np
import pytest

from mmaction_ext.datasets import SportsHHIDataset
from mmaction_ext.datasets.conversion import InputFileError
from mmaction_ext.datasets.hhi_specification import (branch_targets,
                                                     eval_specified_columns,
                                                     sample_specified_columns,
                                                     split_gt)

CUSTOM = [2, 3, 5, 6]  # columns 1..4; the configs drop e.g. class 1 and 4
ROWS = [
    # vid, fid, p1 box, p2 box, label, p1 id, p2 id
    'v1,10,0.1,0.1,0.3,0.5,0.5,0.1,0.7,0.6,2,1,2',
    'v1,12,0.5,0.1,0.7,0.6,0.1,0.1,0.3,0.5,3,2,1',
    'v1,10,0.1,0.1,0.3,0.5,0.2,0.2,0.4,0.4,6,1,3',
    'v1,10,0.2,0.2,0.4,0.4,0.5,0.1,0.7,0.6,4,3,2',  # dropped class
    'v2,25,0.0,0.0,0.5,0.5,0.5,0.5,1.0,1.0,5,7,8',
]
LABELS = ''.join(f'item {{\n  name: "c{i}"\n  id: {i}\n}}\n'
                 for i in range(1, 35))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.fixture
def files(tmp_path):
    proposals = {
        'v1,0002':
        np.array([[0.1, 0.1, 0.3, 0.5, 0.95], [0.5, 0.1, 0.7, 0.6, 0.5]]),
        'v2,0005':
        np.array([[0., 0., .5, .5]]),
    }
    with open(tmp_path / 'proposals.pkl', 'wb') as f:
        pickle.dump(proposals, f)
    return dict(
        ann_file=write(tmp_path, 'sports_train_v1.csv', '\n'.join(ROWS)),
        label_file=write(tmp_path, 'sports_action_list.pbtxt', LABELS),
        proposal_file=str(tmp_path / 'proposals.pkl'))


def build(files, **kwargs):
    cfg = dict(files, pipeline=[], custom_classes=CUSTOM, num_classes=5)
    cfg.update(kwargs)
    return SportsHHIDataset(**cfg)


def test_parses_official_layout(files):
    data = build(files)
    assert len(data) == 2
    info = data.get_data_info(0)
    assert info['img_key'] == 'v1,0002'  # fid // 5
    assert info['frame_dir'] == 'v1' and info['filename_tmpl'] == '{:06}.jpg'
    assert info['gt_bboxes'].shape == (3, 4)  # unique person boxes
    np.testing.assert_allclose(info['gt_bboxes'][2], [0.2, 0.2, 0.4, 0.4])
    # rows: labels 2 -> column 1, 3 -> column 2, 6 -> column 4
    assert info['gt_interactions'].argmax(1).tolist() == [1, 2, 4]
    assert info['p1_ids'].tolist() == [0, 1, 0]
    assert info['p2_ids'].tolist() == [1, 0, 2]
    assert info['gt_labels'][0].tolist() == [0, 1, 1, 0, 1]
    # 5-column proposals are score-thresholded (0.9).
    np.testing.assert_allclose(info['proposals'], [[0.1, 0.1, 0.3, 0.5]])
    np.testing.assert_allclose(info['scores'], [0.95])
    assert data.get_data_info(1)['proposals'].shape == (1, 4)


def test_training_specification_covers_gt_and_varies(files):
    data = build(files)
    np.random.seed(0)
    tokens = set()
    for _ in range(30):
        info = data.get_data_info(0)
        token = info['token']
        assert token.shape == (35, ) and set(
            np.flatnonzero(token)) <= set(CUSTOM)
        tokens.add(tuple(np.flatnonzero(token)))
        gt = info['gt_interactions']
        for row in range(gt.shape[0]):
            col = int(gt[row].argmax())
            specified = token[CUSTOM[col - 1]] > 0
            # Every GT pair has one target in each branch.
            if specified:
                assert info['c_interactions'][row, col] == 1
                assert info['p_interactions'][row, 0] == 1
            else:
                assert info['c_interactions'][row, 0] == 1
                assert info['p_interactions'][row, col] == 1
    assert len(tokens) > 3


def test_eval_specification_never_reads_gt(files, tmp_path):
    data = build(files, test_mode=True)
    assert sorted(np.flatnonzero(data.get_data_info(0)['token'])) == CUSTOM
    rnd = build(
        files, test_mode=True, eval_spec='fixed_random', num_specified=2)
    token = rnd.get_data_info(0)['token']
    assert token.sum() == 2
    np.testing.assert_array_equal(rnd.get_data_info(0)['token'], token)
    # Other GT labels on the same keyframe: the same specification.
    other = [r.replace(',2,1,2', ',5,1,2') for r in ROWS]
    files = dict(files, ann_file=write(tmp_path, 'b.csv', '\n'.join(other)))
    again = build(
        files, test_mode=True, eval_spec='fixed_random', num_specified=2)
    np.testing.assert_array_equal(again.get_data_info(0)['token'], token)


def test_official_spec_file_drawn_once(files, tmp_path):
    spec = {
        'v1': [{
            'token': [2, 3, 9],
            'val': [2, 3],
            'inv': [6]
        }, {
            'token': [6],
            'val': [6],
            'inv': [2, 3]
        }],
        'v2': [{
            'token': [],
            'val': [],
            'inv': [5]
        }],
    }
    spec_file = write(tmp_path, 'train.json', json.dumps(spec))
    data = build(files, spec_mode='file', spec_file=spec_file)
    first = data.get_data_info(0)
    np.testing.assert_array_equal(
        data.get_data_info(0)['token'], first['token'])
    if first['token'][6]:
        assert first['c_interactions'][2].tolist() == [0, 0, 0, 0, 1]
        assert first['p_interactions'][2].tolist() == [1, 0, 0, 0, 0]
    v2 = data.get_data_info(1)
    assert v2['token'].sum() == 0
    assert v2['p_interactions'][0].tolist() == [0, 0, 0, 1, 0]
    assert v2['c_interactions'][0].tolist() == [1, 0, 0, 0, 0]
    spec['v2'] = [{'token': [2], 'val': [4], 'inv': []}]  # 4 is dropped
    with pytest.raises(InputFileError, match="bad entry for video 'v2'"):
        build(
            files,
            spec_mode='file',
            spec_file=write(tmp_path, 'b.json', json.dumps(spec)))
    del spec['v2']
    with pytest.raises(InputFileError, match="no specification for video"):
        build(
            files,
            spec_mode='file',
            spec_file=write(tmp_path, 'c.json', json.dumps(spec)))


def test_exclude_file(files, tmp_path):
    data = build(files, exclude_file=write(tmp_path, 'ex.csv', 'v2,5\n'))
    assert [data.get_data_info(i)['img_key']
            for i in range(len(data))] == ['v1,0002']


@pytest.mark.parametrize('row, message', [
    ('v1,10,0.1,0.1,0.3,0.5,2,1,2', 'expected 13 comma-separated'),
    ('v1,x,0.1,0.1,0.3,0.5,0.5,0.1,0.7,0.6,2,1,2', 'not a number'),
    ('v1,10,0.3,0.1,0.1,0.5,0.5,0.1,0.7,0.6,2,1,2', 'person 1 box'),
    ('v1,10,0.1,0.1,0.3,0.5,0.5,0.1,7.0,0.6,2,1,2', 'person 2 box'),
    ('v1,10,0.1,0.1,0.3,0.5,0.5,0.1,0.7,0.6,35,1,2', 'label 35 outside'),
    ('v1,11,0.1,0.1,0.3,0.5,0.5,0.1,0.7,0.6,3,1,2', 'duplicate pair in '
     "keyframe v1,0002 \\(also on line 1\\)"),
])
def test_bad_rows_name_file_and_line(files, tmp_path, row, message):
    path = write(tmp_path, 'bad.csv', '\n'.join(ROWS + [row]))
    with pytest.raises(InputFileError, match=f'bad.csv:6: {message}'):
        build(dict(files, ann_file=path))


def test_bad_configuration_and_proposals(files, tmp_path):
    with pytest.raises(InputFileError, match=r'custom classes \[40\]'):
        build(files, custom_classes=[2, 3, 5, 40])
    with pytest.raises(ValueError, match='num_classes - 1 = 4'):
        build(files, custom_classes=[2, 3])
    with pytest.raises(InputFileError, match='label 6 needs num_classes'):
        build(files, custom_classes=None, num_classes=5)
    with open(tmp_path / 'p.pkl', 'wb') as f:
        pickle.dump({'v1,0002': np.zeros((1, 4))}, f)
    data = build(files, proposal_file=str(tmp_path / 'p.pkl'))
    with pytest.raises(
            InputFileError, match="no proposals for keyframe "
            "'v2,0005'"):
        data.get_data_info(1)
    with open(tmp_path / 'e.pkl', 'wb') as f:
        pickle.dump({'v1,0002': np.zeros((0, 5)), 'v2,0005': None}, f)
    data = build(files, proposal_file=str(tmp_path / 'e.pkl'))
    assert data.get_data_info(0)['proposals'].shape == (0, 4)
    with pytest.raises(InputFileError, match="proposals of 'v2,0005' must"):
        data.get_data_info(1)
    data = build(
        files,
        proposal_file=str(tmp_path / 'p.pkl'),
        allow_missing_proposals=True)
    assert data.get_data_info(1)['proposals'].tolist() == [[0, 0, 1, 1]]
    assert data.missing_proposals == 1
    with pytest.raises(ValueError, match="spec_mode='file' needs"):
        build(files, spec_mode='file')


# Specification helpers


def test_branch_targets_match_official_rules():
    gt = np.zeros((3, 5), np.float32)
    gt[0, 1] = gt[1, 2] = gt[2, 1] = gt[2, 3] = 1
    c, p = branch_targets(gt, val=[1], inv=[2, 3])
    assert c.tolist() == [[0, 1, 0, 0, 0], [1, 0, 0, 0, 0], [1, 1, 0, 0, 0]]
    assert p.tolist() == [[1, 0, 0, 0, 0], [0, 0, 1, 0, 0], [1, 0, 0, 1, 0]]


def test_sampled_specifications_follow_appendix_c():
    rng = np.random.RandomState(0)
    present, candidates = [2, 5, 7], list(range(1, 29))
    sizes = set()
    for _ in range(300):
        cols = sample_specified_columns(present, candidates, 8, rng)
        hits = len(set(cols) & set(present))
        assert len(cols) == len(set(cols))
        # distractor-injected: 8 columns; otherwise only present ones
        assert len(cols) == 8 or len(cols) == hits >= 1
        sizes.add((len(cols), hits))
    assert sizes == {(8, 0), (8, 1), (8, 2), (8, 3), (1, 1), (2, 2), (3, 3)}
    assert split_gt(present, [5, 9]) == ([5], [2, 7])
    assert eval_specified_columns('k', candidates, 'all', 8, 0) == candidates
    with pytest.raises(ValueError, match='eval specification mode'):
        eval_specified_columns('k', candidates, 'gt', 8, 0)
