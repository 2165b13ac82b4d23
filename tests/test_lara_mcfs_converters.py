"""LARa OMoCap and MCFS (OpenPose json) converters to segmentation pkls."""
import json
import os.path as osp
import sys

import mmengine
import numpy as np
import pytest

from mmaction_ext.datasets import SkeletonSegmentationDataset
from mmaction_ext.text import TextBank

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
import lara_to_segmentation as lara  # noqa: E402
import mcfs_to_segmentation as mcfs  # noqa: E402


def write_dest_list(path, dataset, names):
    """A DeST split csv (``feature,label,boundary`` rows) naming videos."""
    rows = [
        f'./dataset/{dataset}/features/{n}.npy,./dataset/{dataset}/gt_arr/'
        f'{n}.npy,./dataset/{dataset}/gt_boundary_arr/{n}.npy' for n in names
    ]
    path.write_text('\n'.join(['feature,label,boundary'] + rows) + '\n')


# ------------------------------------------------------------------ LARa --

# The 22 segments as the release header names them (the annotation tool's
# writer), written out here independently of the converter's constants.
LARA_HEADER_SEGMENTS = [
    'head', 'head end', 'L collar', 'L elbow', 'L femur', 'L foot',
    'L humerus', 'L tibia', 'L toe', 'L wrist', 'L wrist end', 'lower back',
    'R collar', 'R elbow', 'R femur', 'R foot', 'R humerus', 'R tibia',
    'R toe', 'R wrist', 'R wrist end', 'root'
]
LARA_COLUMNS = [
    f'{s}_{c}' for s in LARA_HEADER_SEGMENTS
    for c in ('RX', 'RY', 'RZ', 'TX', 'TY', 'TZ')
]
ATTRIBUTES = [f'attr{i}' for i in range(19)]
# LARa class id -> our (LaSA) class name, by the release's class list.
LARA_EXPECTED_NAMES = [
    'Standing', 'Walking', 'Cart Handling', 'Handling (upwards)',
    'Handling (centred)', 'Handling (downwards)', 'Waving hands', 'None'
]
NINETEEN = [
    'root', 'R femur', 'R tibia', 'R foot', 'R toe', 'L femur', 'L tibia',
    'L foot', 'L toe', 'lower back', 'head', 'R collar', 'R humerus',
    'R elbow', 'R wrist', 'L collar', 'L humerus', 'L elbow', 'L wrist'
]
RECORDINGS = {  # name -> class id per frame
    'L01_S01_R01_A17_N01': [0, 0, 1, 1, 1, 7],
    'L02_S02_R03_A03_N01': [2, 2, 3, 4, 5, 5, 6],
    'L03_S05_R17_A12_N01': [6, 6, 7, 0, 0],
}


def column_value(column, frame):
    """A distinct, reproducible value per (column name, frame)."""
    return LARA_COLUMNS.index(column) * 10 + frame * 0.5 + 0.25


def write_lara(folder,
               name,
               classes,
               data_header=None,
               data_rows=None,
               label_text=None):
    folder.mkdir(parents=True, exist_ok=True)
    header = data_header or ','.join(['sample', 'classlabel'] + LARA_COLUMNS)
    if data_rows is None:
        data_rows = [
            ','.join([f'{t}', f'{c}'] +
                     [f'{column_value(col, t):.6f}' for col in LARA_COLUMNS])
            for t, c in enumerate(classes)
        ]
    (folder /
     f'{name}_norm_data.csv').write_text('\n'.join([header] + data_rows) +
                                         '\n')
    if label_text is None:
        rows = [
            ','.join([f'{c:.18e}'] + ['0'] * len(ATTRIBUTES)) for c in classes
        ]
        label_text = '\n'.join([','.join(['class'] + ATTRIBUTES)] + rows)
    (folder / f'{name}_labels.csv').write_text(label_text + '\n')


@pytest.fixture
def lara_dir(tmp_path):
    root = tmp_path / 'OMoCap'
    for name, classes in RECORDINGS.items():
        write_lara(root / name.split('_')[1], name, classes)
    return root


def lara_main(args, tmp_path):
    out = tmp_path / 'lara.pkl'
    # tests call it repeatedly with the same output
    return lara.main(args + ['--out', str(out), '--overwrite']), out


def test_lara_release_facts():
    assert list(lara.SEGMENTS) == LARA_HEADER_SEGMENTS
    assert lara.NUM_COLUMNS == 134
    assert lara.TEST_SUBJECTS == ('S05', 'S06', 'S07', 'S08')
    assert lara.MSGCN_LEADING_NODES == tuple(NINETEEN[:9])
    bank = TextBank('lara').labels
    assert [bank[i]
            for i in lara.class_id_to_bank_index(bank)] == LARA_EXPECTED_NAMES


def test_lara_all_segments_load_with_dataset(lara_dir, tmp_path):
    code, out = lara_main(
        ['--data-dir', str(lara_dir), '--joints', 'all'], tmp_path)
    assert code == 0
    data = mmengine.load(str(out))
    assert data['split'] == dict(
        train=['L01_S01_R01_A17_N01', 'L02_S02_R03_A03_N01'],
        test=['L03_S05_R17_A12_N01'])
    assert data['classes'] == list(TextBank('lara').labels)
    for split, names in data['split'].items():
        dataset = SkeletonSegmentationDataset(
            str(out), split=split, num_joints=22, keypoint_dims=6)
        assert [
            dataset.get_data_info(i)['frame_dir'] for i in range(len(dataset))
        ] == names
    for anno in data['annotations']:
        classes = RECORDINGS[anno['frame_dir']]
        assert anno['keypoint'].shape == (1, len(classes), 22, 6)
        assert anno['keypoint'].dtype == np.float32
        assert [data['classes'][y] for y in anno['frame_labels']
                ] == [LARA_EXPECTED_NAMES[c] for c in classes]
        t, segment = 3, 'L femur'
        expected = [
            column_value(f'{segment}_{c}', t)
            for c in ('RX', 'RY', 'RZ', 'TX', 'TY', 'TZ')
        ]
        np.testing.assert_allclose(
            anno['keypoint'][0, t, LARA_HEADER_SEGMENTS.index(segment)],
            expected,
            rtol=1e-6)


def test_lara_joint_order_file(lara_dir, tmp_path, capsys):
    order = tmp_path / 'lara19.txt'
    order.write_text('# 19 nodes\n' +
                     '\n'.join(n.replace(' ', '_') for n in NINETEEN) + '\n')
    code, out = lara_main(
        ['--data-dir', str(lara_dir), '--joints',
         str(order)], tmp_path)
    assert code == 0 and 'warning' not in capsys.readouterr().err
    dataset = SkeletonSegmentationDataset(
        str(out), split='train', num_joints=19, keypoint_dims=6)
    anno = dataset.get_data_info(0)
    for joint, segment in enumerate(NINETEEN):
        for c, channel in enumerate(('RX', 'RY', 'RZ', 'TX', 'TY', 'TZ')):
            assert anno['keypoint'][0, 2, joint, c] == pytest.approx(
                column_value(f'{segment}_{channel}', 2), rel=1e-6)
    swapped = tmp_path / 'swapped.txt'
    swapped.write_text('\n'.join(NINETEEN[1:2] + NINETEEN[:1] + NINETEEN[2:]))
    assert lara_main(
        ['--data-dir', str(lara_dir), '--joints',
         str(swapped)], tmp_path)[0] == 0
    assert 'do not start with the 9 nodes' in capsys.readouterr().err


def test_lara_bad_joint_order(lara_dir, tmp_path, capsys):
    order = tmp_path / 'bad.txt'
    order.write_text('root\nneck\nroot\n')
    code, out = lara_main(
        ['--data-dir', str(lara_dir), '--joints',
         str(order)], tmp_path)
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert "line 2: unknown segment 'neck'" in err
    assert "line 3: segment 'root' repeated" in err


@pytest.mark.parametrize('case, fragment', [
    ('columns', 'line 4: 133 fields, expected 134'),
    ('number', "line 3, column 7: 'x' is not a number"),
    ('nan', 'line 2: non-finite value'),
    ('header', "line 1, column 3: header 'hed_RX', expected 'head_RX'"),
    ('length', '4 label rows but 6 rows'),
    ('class', 'line 3: class 9 is not an integer in 0..7'),
    ('column', 'class column disagrees with L01_S09_R01_A17_N01_labels.csv '
     'at 1 frame(s), first at line 7 (2 vs 7)'),
    ('labels_header', "line 1: header starts ['id'"),
    ('empty', 'has no data rows after the header'),
])
def test_lara_bad_files_are_named(lara_dir, case, fragment):
    name, classes = 'L01_S09_R01_A17_N01', [0, 0, 1, 1, 1, 7]
    good = [
        ','.join([f'{t}', f'{c}'] + ['1.0'] * len(LARA_COLUMNS))
        for t, c in enumerate(classes)
    ]
    kwargs = {}
    if case == 'columns':
        kwargs['data_rows'] = good[:2] + [good[2].rsplit(',', 1)[0]] + good[3:]
    elif case == 'number':
        kwargs['data_rows'] = good[:1] + [
            good[1].replace(',1.0', ',x', 5).replace(',x', ',1.0', 4)
        ] + good[2:]
    elif case == 'nan':
        kwargs['data_rows'] = [good[0].replace(',1.0', ',nan', 1)] + good[1:]
    elif case == 'header':
        kwargs['data_header'] = ','.join(['sample', 'label', 'hed_RX'] +
                                         LARA_COLUMNS[1:])
    elif case == 'length':
        kwargs['label_text'] = 'class\n0\n0\n1\n1'
    elif case == 'class':
        kwargs['label_text'] = 'class\n0\n9\n1\n1\n1\n7'
    elif case == 'column':
        kwargs['data_rows'] = good[:5] + [good[5].replace(',7,', ',2,', 1)]
    elif case == 'labels_header':
        kwargs['label_text'] = 'id\n0\n0\n1\n1\n1\n7'
    elif case == 'empty':
        kwargs['label_text'] = ','.join(['class'] + ATTRIBUTES)
    write_lara(lara_dir / 'S09', name, classes, **kwargs)
    bad_file = lara_dir / 'S09' / (f'{name}_labels.csv' if case in
                                   ('length', 'class', 'labels_header',
                                    'empty') else f'{name}_norm_data.csv')
    with pytest.raises(lara.ConversionError) as err:
        lara.convert(str(lara_dir))
    assert f'{bad_file}: {fragment}' in str(err.value)
    data, bad, _ = lara.convert(str(lara_dir), skip_bad=True)
    assert len(bad) == 1 and len(data['annotations']) == 3


def test_lara_class_column_can_be_ignored(lara_dir):
    good = [
        ','.join([f'{t}', '5'] + ['1.0'] * len(LARA_COLUMNS)) for t in range(3)
    ]
    write_lara(lara_dir / 'S10', 'L01_S10_R01_A18_N01', [0, 1, 2], None, good)
    with pytest.raises(lara.ConversionError, match='class column disagrees'):
        lara.convert(str(lara_dir))
    data, bad, _ = lara.convert(str(lara_dir), check_class_column=False)
    assert bad == [] and len(data['annotations']) == 4


def test_lara_unpaired_and_misnamed_files(lara_dir, tmp_path, capsys):
    (lara_dir / 'S01' / 'L01_S01_R01_A17_N01_labels.csv').unlink()
    write_lara(lara_dir / 'S03', 'L1_S03_R01', [0, 1])
    code, out = lara_main(
        ['--data-dir', str(lara_dir), '--joints', 'all'], tmp_path)
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert 'L01_S01_R01_A17_N01_norm_data.csv: no L01_S01_R01_A17_N01' \
        '_labels.csv' in err
    assert 'L1_S03_R01_norm_data.csv: name is not L##_S##_R##_A##_N##' in err
    code, out = lara_main(
        ['--data-dir',
         str(lara_dir), '--joints', 'all', '--skip-bad'], tmp_path)
    assert code == 0 and '2 bad file(s)' in capsys.readouterr().err
    assert [a['frame_dir'] for a in mmengine.load(str(out))['annotations']
            ] == ['L02_S02_R03_A03_N01', 'L03_S05_R17_A12_N01']


def test_lara_official_lists(lara_dir, tmp_path):
    lists = tmp_path / 'csv_LARA'
    lists.mkdir()

    def write(split, names):
        write_dest_list(lists / f'{split}1.csv', 'LARA', names)

    write('train', ['L01_S01_R01_A17_N01'])
    write('val', ['L02_S02_R03_A03_N01'])
    write('test', ['L03_S05_R17_A12_N01'])
    write_lara(lara_dir / 'S04', 'L01_S04_R01_A06_N01', [0, 1])
    data, bad, unlisted = lara.convert(str(lara_dir), 'all', str(lists))
    assert data['split'] == dict(
        train=['L01_S01_R01_A17_N01'],
        val=['L02_S02_R03_A03_N01'],
        test=['L03_S05_R17_A12_N01'])
    assert unlisted == 1 and bad == [] and len(data['annotations']) == 3
    write('test', ['L03_S05_R17_A12_N01', 'L03_S06_R17_A13_N01'])
    with pytest.raises(
            lara.ConversionError,
            match='L03_S06_R17_A13_N01'
            '_norm_data.csv: listed by the official lists'):
        lara.convert(str(lara_dir), 'all', str(lists))


def test_lara_one_hot_labels_and_test_subjects(lara_dir):
    header = ('Standing,Walking,Cart,Handling(upwards),Handling(centred),'
              'Handling(downwards),Synchronization,None,' +
              ','.join(ATTRIBUTES))
    rows = []
    for c in (3, 3, 6):
        one_hot = ['0'] * 8
        one_hot[c] = '1'
        rows.append(','.join(one_hot + ['0'] * 19))
    write_lara(
        lara_dir / 'S11',
        'L02_S11_R04_A02_N02', [3, 3, 6],
        label_text='\n'.join([header] + rows))
    data, bad, _ = lara.convert(str(lara_dir), test_subjects=['S11'])
    assert bad == [] and data['split']['test'] == ['L02_S11_R04_A02_N02']
    one_hot = [
        a for a in data['annotations']
        if a['frame_dir'] == 'L02_S11_R04_A02_N02'
    ][0]
    assert [data['classes'][y] for y in one_hot['frame_labels']
            ] == ['Handling (upwards)', 'Handling (upwards)', 'Waving hands']
    rows[1] = ','.join(['1', '1'] + ['0'] * 25)
    write_lara(
        lara_dir / 'S11',
        'L02_S11_R04_A02_N02', [3, 3, 6],
        label_text='\n'.join([header] + rows))
    with pytest.raises(
            lara.ConversionError,
            match='line 3: the 8 class '
            'columns are not one-hot'):
        lara.convert(str(lara_dir))


# ------------------------------------------------------------------ MCFS --

# BODY_25 joint order (OpenPose doc), independent of the converter.
BODY25 = [
    'Nose', 'Neck', 'RShoulder', 'RElbow', 'RWrist', 'LShoulder', 'LElbow',
    'LWrist', 'MidHip', 'RHip', 'RKnee', 'RAnkle', 'LHip', 'LKnee', 'LAnkle',
    'REye', 'LEye', 'REar', 'LEar', 'LBigToe', 'LSmallToe', 'LHeel', 'RBigToe',
    'RSmallToe', 'RHeel'
]
MCFS_VIDEOS = {  # label lines as they could be written in a label file
    'n01_p01': ['NONE', 'none', 'Step Sequence', 'step_sequence', 'Axel'],
    'n02_p03': ['Lutz-Toe Loop', 'lutz toe loop', 'NONE', 'Camel Spin'],
    'n03_p02': ['Flip', 'Flip', 'Flip'],
}
MCFS_EXPECTED = {  # the same frames as TextBank('mcfs22') names
    'n01_p01': ['NONE', 'NONE', 'Step Sequence', 'Step Sequence', 'Axel'],
    'n02_p03': ['Lutz-Toe Loop', 'Lutz-Toe Loop', 'NONE', 'Camel Spin'],
    'n03_p02': ['Flip', 'Flip', 'Flip'],
}


def pose(seed, score):
    """(25, 3) pose: x, y in pixels and a constant score."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 1280, size=(25, 2)).round(3)
    return np.concatenate([xy, np.full((25, 1), score)], axis=1)


def write_frames(folder, name, people_per_frame, first=0):
    """OpenPose --write_json files, one per frame."""
    video = folder / name
    video.mkdir(parents=True, exist_ok=True)
    for t, people in enumerate(people_per_frame, first):
        content = dict(
            version=1.3,
            people=[
                dict(
                    person_id=[-1],
                    pose_keypoints_2d=p.reshape(-1).tolist(),
                    face_keypoints_2d=[]) for p in people
            ])
        (video / f'{name}_{t:012d}_keypoints.json').write_text(
            json.dumps(content))


@pytest.fixture
def mcfs_dirs(tmp_path):
    poses, labels = tmp_path / 'json', tmp_path / 'labels'
    labels.mkdir()
    skater = {}
    for v, (name, lines) in enumerate(MCFS_VIDEOS.items()):
        frames, best = [], []
        for t in range(len(lines)):
            main_person = pose(100 * v + t, 0.9)
            other = pose(1000 + t, 0.2)
            if t == 1:  # nobody detected
                frames.append([])
                best.append(np.zeros((25, 3)))
            else:  # a low-score bystander listed first
                frames.append([other, main_person])
                best.append(main_person)
        write_frames(poses, name, frames)
        skater[name] = np.stack(best)
        (labels / f'{name}.txt').write_text('\n'.join(lines) + '\n')
    return poses, labels, skater


def test_mcfs_conversion_loads_with_dataset(mcfs_dirs, tmp_path):
    poses, labels, skater = mcfs_dirs
    out = tmp_path / 'mcfs.pkl'
    assert mcfs.main([
        '--pose-dir',
        str(poses), '--label-dir',
        str(labels), '--classes', 'mcfs22', '--out',
        str(out)
    ]) == 0
    data = mmengine.load(str(out))
    assert data['classes'] == list(TextBank('mcfs22').labels)
    assert data['split'] == dict(all=sorted(MCFS_VIDEOS))
    dataset = SkeletonSegmentationDataset(
        str(out),
        pipeline=[dict(type='SegmentationFeatures', mode='mcfs')],
        split='all',
        num_joints=25,
        keypoint_dims=3)
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        name = info['frame_dir']
        np.testing.assert_allclose(info['keypoint'][0], skater[name])
        assert [data['classes'][y]
                for y in info['frame_labels']] == MCFS_EXPECTED[name]
        inputs = dataset[index]['inputs']
        assert inputs.shape == (2, len(MCFS_VIDEOS[name]), 25)
        mid_hip = BODY25.index('MidHip')
        assert np.abs(inputs[:, :, mid_hip]).max() == 0


def test_mcfs_fold_lists_and_xy_only(mcfs_dirs, tmp_path):
    poses, labels, skater = mcfs_dirs
    lists = tmp_path / 'csv_MCFS-22'
    lists.mkdir()

    def write(split, names):
        write_dest_list(lists / f'{split}.csv', 'MCFS-22', names)

    write('train1', ['n01_p01'])
    write('val1', ['n01_p01'])
    write('test1', ['n02_p03'])
    write('train2', ['n02_p03'])
    write('test2', ['n01_p01'])
    data, bad, unlisted = mcfs.convert(
        str(poses), str(labels), 'mcfs22', str(lists), xy_only=True)
    assert data['split'] == dict(
        train1=['n01_p01'],
        val1=['n01_p01'],
        test1=['n02_p03'],
        train2=['n02_p03'],
        test2=['n01_p01'])
    assert unlisted == 1 and bad == []
    anno = data['annotations'][0]
    assert anno['keypoint'].shape == (1, 5, 25, 2)
    np.testing.assert_allclose(anno['keypoint'][0], skater['n01_p01'][..., :2])
    write('test2', ['n09_p09'])
    with pytest.raises(mcfs.ConversionError, match='n09_p09: listed by'):
        mcfs.convert(str(poses), str(labels), 'mcfs22', str(lists))


def test_mcfs_unknown_class_names_are_listed(mcfs_dirs):
    poses, labels, _ = mcfs_dirs
    (labels / 'n03_p02.txt').write_text('Flip\nQuad Flip\nQuintuple Axel\n')
    with pytest.raises(mcfs.ConversionError) as err:
        mcfs.convert(str(poses), str(labels), 'mcfs22')
    assert (f"{labels / 'n03_p02.txt'}: 2 unknown class name(s): "
            "'Quad Flip' (line 2), 'Quintuple Axel' (line 3)") in str(
                err.value)
    # the 130-class bank names other classes: MCFS-22 names are unknown
    with pytest.raises(mcfs.ConversionError, match="'Step Sequence'"):
        mcfs.convert(str(poses), str(labels), 'mcfs130', skip_bad=False)


@pytest.mark.parametrize('case, where, fragment', [
    ('count', 'labels', '3 label lines but 2 json frames'),
    ('gap', 'video', '1 frame(s) missing between 0 and 2, first 1'),
    ('coco', 'frame', 'person 0: pose_keypoints_2d has 54 numbers, '
     'expected 75'),
    ('json', 'frame', 'cannot read json'),
    ('people', 'frame', 'has no "people" list'),
    ('empty_line', 'labels', 'line 2: empty label'),
    ('no_labels', 'labels', 'label file missing'),
])
def test_mcfs_bad_videos_are_named(mcfs_dirs, tmp_path, case, where, fragment):
    poses, labels, _ = mcfs_dirs
    name, video = 'n03_p02', poses / 'n03_p02'
    frame = video / f'{name}_000000000000_keypoints.json'
    if case == 'count':
        (video / f'{name}_000000000002_keypoints.json').unlink()
    elif case == 'gap':
        (video / f'{name}_000000000001_keypoints.json').unlink()
    elif case == 'coco':
        frame.write_text(
            json.dumps(dict(people=[dict(pose_keypoints_2d=[1.0] * 54)])))
    elif case == 'json':
        frame.write_text('{"people": [')
    elif case == 'people':
        frame.write_text('{"version": 1.3}')
    elif case == 'empty_line':
        (labels / f'{name}.txt').write_text('Flip\n\nFlip\n')
    elif case == 'no_labels':
        (labels / f'{name}.txt').unlink()
    path = {
        'labels': labels / f'{name}.txt',
        'video': video,
        'frame': frame
    }[where]
    with pytest.raises(mcfs.ConversionError) as err:
        mcfs.convert(str(poses), str(labels), 'mcfs22')
    assert f'{path}: {fragment}' in str(err.value)
    out = tmp_path / 'skip.pkl'
    assert mcfs.main([
        '--pose-dir',
        str(poses), '--label-dir',
        str(labels), '--classes', 'mcfs22', '--out',
        str(out), '--skip-bad'
    ]) == 0
    assert mmengine.load(str(out))['split'] == dict(all=['n01_p01', 'n02_p03'])


def test_mcfs_frames_may_start_late_and_errors_exit_1(mcfs_dirs, tmp_path,
                                                      capsys):
    poses, labels, _ = mcfs_dirs
    people = [[pose(7, 0.5)]] * 3
    write_frames(poses, 'n04_p01', people, first=120)
    (labels / 'n04_p01.txt').write_text('Loop\nLoop\nSalchow')
    data, bad, _ = mcfs.convert(str(poses), str(labels), 'mcfs22')
    assert bad == [] and 'n04_p01' in data['split']['all']
    (labels / 'n04_p01.txt').write_text('Loop\nLoop\nLoops\n')
    out = tmp_path / 'none.pkl'
    assert mcfs.main([
        '--pose-dir',
        str(poses), '--label-dir',
        str(labels), '--classes', 'mcfs22', '--out',
        str(out)
    ]) == 1
    assert not out.exists()
    assert "unknown class name(s): 'Loops' (line 3)" in capsys.readouterr().err
