"""TCG release -> segmentation pkl (tools/data/tcg_to_segmentation.py)."""
import copy
import json
import os.path as osp
import sys

import mmengine
import numpy as np
import pytest

import mmaction_ext  # noqa: F401
from mmaction_ext.datasets import SkeletonSegmentationDataset
from mmaction_ext.datasets.conversion import ConversionError
from mmaction_ext.datasets.label_maps import load_label_map

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
import tcg_to_segmentation as tcg  # noqa: E402

# Written out by hand from TCGDB.py TCGFrame.encode_minlabel (commit
# ee22be45): (major, minor) -> index. Independent of the converter's table.
EXPECTED_LABELS = [
    ('inactive', 'normal-pose', 0),
    ('inactive', 'out-of-vocabulary', 0),
    ('inactive', 'transition', 0),
    ('stop', 'both-static', 1),
    ('stop', 'both-dynamic', 2),
    ('stop', 'left-static', 3),
    ('stop', 'left-dynamic', 4),
    ('stop', 'right-static', 5),
    ('stop', 'right-dynamic', 6),
    ('clear', 'left-static', 7),
    ('clear', 'right-static', 8),
    ('go', 'both-static', 9),
    ('go', 'both-dynamic', 10),
    ('go', 'left-static', 11),
    ('go', 'left-dynamic', 12),
    ('go', 'right-static', 13),
    ('go', 'right-dynamic', 14),
]
# Subject and viewpoint of the synthetic sequences 0..5.
SUBJECTS = [1, 2, 3, 4, 5, 1]
VIEWS = ['top', 'left', 'right', 'bottom', 'top', 'left']
LENGTHS = [23, 31, 17, 40, 12, 26]


def make_annotation(rng, num_frames):
    """Random [major, minor, start, end] intervals covering every frame."""
    cuts = np.sort(rng.choice(np.arange(1, num_frames), 3, replace=False))
    edges = [0] + [int(c) for c in cuts] + [num_frames]
    picks = rng.choice(len(EXPECTED_LABELS), len(edges) - 1)
    return [[EXPECTED_LABELS[p][0], EXPECTED_LABELS[p][1], s, e]
            for p, s, e in zip(picks, edges[:-1], edges[1:])]


def make_sequence(rng, subject, view, num_frames):
    """One ``tcg.json`` sequence entry, in the layout TCGDB.open reads."""
    agents = [
        dict(id=k, position=p, intention='straight', queue=0)
        for k, p in enumerate(['top', 'left', 'right', 'bottom'])
    ]
    return dict(
        subject_id=subject,
        junction='4-way',
        scene_id=int(rng.integers(10)),
        scene_agents=agents,
        agent_number=[a['position'] for a in agents].index(view),
        annotation=make_annotation(rng, num_frames),
        num_frames=num_frames)


def write_release(folder, sequences, poses):
    """Write ``tcg.json`` and ``tcg_data.npy`` (object array) to folder."""
    folder.mkdir(parents=True, exist_ok=True)
    db = dict(
        dataset='tcg',
        description='synthetic test data',
        version=[1, 0],
        joint_dictionary={f'joint{j}': j
                          for j in range(17)},
        sequences=sequences)
    (folder / 'tcg.json').write_text(json.dumps(db))
    data = np.empty(len(poses), dtype=object)
    for index, pose in enumerate(poses):
        data[index] = pose
    np.save(str(folder / 'tcg_data.npy'), data, allow_pickle=True)
    return str(folder)


@pytest.fixture
def release():
    """Sequences and poses of a small release (6 sequences, all folds)."""
    rng = np.random.default_rng(0)
    sequences = [
        make_sequence(rng, s, v, n)
        for s, v, n in zip(SUBJECTS, VIEWS, LENGTHS)
    ]
    poses = [rng.normal(size=(n, 17, 3)).astype(np.float64) for n in LENGTHS]
    return sequences, poses


def naive_labels(annotation, num_frames):
    """Per-frame indices, frame by frame, from the expected table."""
    table = {(major, minor): index for major, minor, index in EXPECTED_LABELS}
    labels = [None] * num_frames
    for major, minor, start, end in annotation:
        for frame in range(start, end):
            labels[frame] = table[(major, minor)]
    return np.array(labels, dtype=np.int64)


def name(index):
    return f'tcg_{index:03d}_subject{SUBJECTS[index]}_{VIEWS[index]}'


def test_label_mapping_matches_tcgdb():
    assert len(tcg.MINOR_TO_INDEX) == len(EXPECTED_LABELS)
    for major, minor, index in EXPECTED_LABELS:
        assert tcg.label_index(major, minor) == index
    names = load_label_map('tcg15')
    assert tcg.class_names() == names
    assert len(names) == 15 and names[0] == 'inactive'
    for major, minor, index in EXPECTED_LABELS[3:]:
        assert names[index] == f'{major}_{minor}'
    for major, minor in [('idle', 'normal-pose'), ('stop', 'both'),
                         ('clear', 'both-static'), ('inactive', '')]:
        with pytest.raises(ValueError, match='unknown label'):
            tcg.label_index(major, minor)


def test_protocol_facts():
    # TCGDB.py train_test_sets; fold k is run_id k - 1
    assert [test for _, test in tcg.XSUB_FOLDS] == [(5, ), (2, ), (3, ), (4, ),
                                                    (1, )]
    assert [test for _, test in tcg.XVIEW_FOLDS] == [('top', ), ('left', ),
                                                     ('right', ), ('bottom', )]
    for folds, members in ((tcg.XSUB_FOLDS, {1, 2, 3, 4, 5}),
                           (tcg.XVIEW_FOLDS,
                            {'top', 'left', 'right', 'bottom'})):
        for train, test in folds:
            assert set(train) | set(test) == members
            assert not set(train) & set(test)


@pytest.mark.parametrize('factor', [1, 5])
def test_conversion(tmp_path, release, factor, capsys):
    sequences, poses = release
    tcg_dir = write_release(tmp_path / 'tcg', sequences, poses)
    out = str(tmp_path / 'out' / 'tcg.pkl')
    argv = ['--tcg-dir', tcg_dir, '--out', out]
    assert tcg.main(argv + ['--sampling-factor', str(factor)]) == 0
    assert '6 sequences' in capsys.readouterr().out
    data = mmengine.load(out)
    assert data['classes'] == tcg.class_names()
    assert [a['frame_dir']
            for a in data['annotations']] == [name(i) for i in range(6)]
    for index, anno in enumerate(data['annotations']):
        expected = poses[index][::factor][None].astype(np.float32)
        labels = naive_labels(sequences[index]['annotation'], LENGTHS[index])
        assert anno['keypoint'].dtype == np.float32
        assert anno['keypoint'].shape == (1, len(expected[0]), 17, 3)
        np.testing.assert_array_equal(anno['keypoint'], expected)
        assert anno['frame_labels'].dtype == np.int64
        np.testing.assert_array_equal(anno['frame_labels'], labels[::factor])
        assert anno['total_frames'] == -(-LENGTHS[index] // factor)
    split = data['split']
    assert len(split) == 2 * (5 + 4)
    assert split['xsub_fold1_test'] == [name(4)]
    assert split['xsub_fold5_test'] == [name(0), name(5)]
    assert split['xsub_fold5_train'] == [name(i) for i in (1, 2, 3, 4)]
    assert split['xview_fold1_test'] == [name(0), name(4)]
    assert split['xview_fold2_test'] == [name(1), name(5)]
    assert split['xview_fold4_test'] == [name(3)]
    assert split['xview_fold4_train'] == [name(i) for i in (0, 1, 2, 4, 5)]
    for key in split:
        if key.endswith('_train'):
            pair = split[key] + split[key.replace('_train', '_test')]
            assert sorted(pair) == [name(i) for i in range(6)]


def test_output_loads_with_dataset(tmp_path, release):
    tcg_dir = write_release(tmp_path / 'tcg', *release)
    out = str(tmp_path / 'tcg.pkl')
    assert tcg.main(['--tcg-dir', tcg_dir, '--out', out]) == 0
    pipeline = [
        dict(type='SegmentationFeatures', root_joint=2, num_person=1),
        dict(type='PackSegmentationInputs')
    ]
    train = SkeletonSegmentationDataset(
        out,
        pipeline,
        split='xsub_fold2_train',
        num_joints=17,
        keypoint_dims=3)
    test = SkeletonSegmentationDataset(
        out,
        pipeline,
        split='xsub_fold2_test',
        num_joints=17,
        keypoint_dims=3,
        test_mode=True)
    assert len(train) == 5 and len(test) == 1
    assert train.num_classes == 15
    assert train.metainfo['classes'][0] == 'inactive'
    item = test[0]
    frames = item['data_samples'].metainfo['total_frames']
    assert frames == -(-LENGTHS[1] // 5)
    assert item['inputs'].shape == (6, frames, 17)
    assert item['data_samples'].gt_frame_labels.shape == (frames, )


def test_scene_agents_as_dict(tmp_path, release):
    sequences, poses = release
    for sequence in sequences:
        agents = sequence['scene_agents']
        sequence['scene_agents'] = {str(k): a for k, a in enumerate(agents)}
    data, bad, outside = tcg.convert(
        write_release(tmp_path / 'tcg', sequences, poses))
    assert not bad and not outside
    assert [a['frame_dir']
            for a in data['annotations']] == [name(i) for i in range(6)]


def _break(sequences, poses, case):
    """Make sequence 2 bad in one way; return the expected reason."""
    seq = sequences[2]
    if case == 'label':
        seq['annotation'][1][1] = 'both-wiggly'
        return 'unknown label'
    if case == 'length':
        poses[2] = poses[2][:-3]
        return f'{LENGTHS[2] - 3} poses but num_frames={LENGTHS[2]}'
    if case == 'shape':
        poses[2] = poses[2][..., :2]
        return r'shape \(17, 17, 2\), expected \(T, 17, 3\)'
    if case == 'flat':
        poses[2] = poses[2].reshape(LENGTHS[2], 51)
        return r'shape \(17, 51\)'
    if case == 'ragged':
        poses[2] = [[0.0] * 3, [0.0] * 2]
        return 'not numeric'
    if case == 'past_end':
        seq['annotation'][-1][3] = LENGTHS[2] + 4
        return r'outside frames \[0, 17\)'
    if case == 'reversed':
        interval = seq['annotation'][1]
        interval[2], interval[3] = interval[3], interval[2]
        return 'ends before it starts'
    if case == 'gap':
        seq['annotation'][0][3] -= 1
        start = seq['annotation'][0][3]
        return f'1 frame\\(s\\) have no annotation interval, first frame ' \
            f'{start}'
    if case == 'nan':
        poses[2][5, 3, 1] = np.nan
        return 'NaN/inf'
    if case == 'keys':
        del seq['num_frames']
        return "has no \\['num_frames'\\]"
    if case == 'agent':
        seq['agent_number'] = 9
        return 'position'
    raise ValueError(case)


CASES = [
    'label', 'length', 'shape', 'flat', 'ragged', 'past_end', 'reversed',
    'gap', 'nan', 'keys', 'agent'
]


@pytest.mark.parametrize('case', CASES)
def test_bad_sequence_is_named(tmp_path, release, case):
    sequences, poses = copy.deepcopy(release)
    reason = _break(sequences, poses, case)
    tcg_dir = write_release(tmp_path / 'tcg', sequences, poses)
    where = r'tcg\.json sequence 2 \(and tcg_data\.npy\[2\]\): '
    with pytest.raises(ConversionError, match=where + '.*' + reason):
        tcg.convert(tcg_dir)
    data, bad, _ = tcg.convert(tcg_dir, skip_bad=True)
    assert len(bad) == 1 and 'sequence 2 ' in bad[0]
    names = [a['frame_dir'] for a in data['annotations']]
    assert names == [name(i) for i in (0, 1, 3, 4, 5)]
    assert name(2) not in sum(data['split'].values(), [])


def test_cli_errors_and_skip_bad(tmp_path, release, capsys):
    sequences, poses = copy.deepcopy(release)
    _break(sequences, poses, 'label')
    _break(sequences, poses, 'length')
    tcg_dir = write_release(tmp_path / 'tcg', sequences, poses)
    out = tmp_path / 'tcg.pkl'
    assert tcg.main(['--tcg-dir', tcg_dir, '--out', str(out)]) == 1
    err = capsys.readouterr().err
    assert '1 bad file(s)' in err and 'sequence 2' in err
    assert 'both-wiggly' in err and not out.exists()
    argv = ['--tcg-dir', tcg_dir, '--out', str(out), '--skip-bad']
    assert tcg.main(argv) == 0
    captured = capsys.readouterr()
    assert 'sequence 2' in captured.err and '1 bad' in captured.out
    assert len(mmengine.load(str(out))['annotations']) == 5


def test_file_level_errors(tmp_path, release, capsys):
    sequences, poses = release
    out = str(tmp_path / 'tcg.pkl')
    assert tcg.main(['--tcg-dir', str(tmp_path / 'none'), '--out', out]) == 1
    assert 'tcg.json does not exist' in capsys.readouterr().err
    # index pairing broken: fatal even with --skip-bad
    tcg_dir = write_release(tmp_path / 'short', sequences, poses[:-1])
    with pytest.raises(tcg.TcgFormatError, match='has 5 pose sequences but'):
        tcg.convert(tcg_dir, skip_bad=True)
    bad_json = tmp_path / 'badjson'
    write_release(bad_json, sequences, poses)
    (bad_json / 'tcg.json').write_text('{"sequences": ')
    with pytest.raises(tcg.TcgFormatError, match='cannot read json'):
        tcg.convert(str(bad_json))
    with pytest.raises(ValueError, match='sampling_factor'):
        tcg.convert(tcg_dir, sampling_factor=0)


def test_sequences_outside_the_folds(tmp_path, release, capsys):
    sequences, poses = release
    sequences[3]['subject_id'] = 6
    tcg_dir = write_release(tmp_path / 'tcg', sequences, poses)
    out = str(tmp_path / 'tcg.pkl')
    assert tcg.main(['--tcg-dir', tcg_dir, '--out', out]) == 0
    assert 'in no official fold' in capsys.readouterr().err
    data = mmengine.load(out)
    odd = 'tcg_003_subject6_bottom'
    assert odd in [a['frame_dir'] for a in data['annotations']]
    assert all(odd not in data['split'][f'xsub_fold{k}_{part}']
               for k in range(1, 6) for part in ('train', 'test'))
    assert odd in data['split']['xview_fold4_test']
