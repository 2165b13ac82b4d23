"""PKU-MMD skeleton/label/split files -> skeleton segmentation pkl."""
import os.path as osp
import re
import sys

import mmengine
import numpy as np
import pytest

from mmaction_ext.datasets import SkeletonSegmentationDataset
from mmaction_ext.text import TextBank

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
import pku_mmd_to_segmentation as pku  # noqa: E402

# video -> (frames, persons, label lines); labels are 1-based, inclusive
VIDEOS = {
    '0002-L': (12, 1, ['3,2,4,2', '51,7,12,1']),
    '0002-M': (10, 1, ['1,1,1,1', '2,2,5,2']),
    '0002-R': (9, 2, ['12,4,9,2']),
    '0003-L': (8, 1, []),
}
XSUB = (['0002-L', '0002-M', '0002-R'], ['0003-L'])
XVIEW = (['0002-M', '0002-R'], ['0002-L', '0003-L'])


def coordinate(m, t, v, c):
    """A value that tells person, frame, joint and axis apart."""
    return round(0.25 * t + 0.01 * v + 0.001 * c + (3 if m else 0), 4)


def skeleton_lines(frames, persons):
    """Lines in the release's layout: person, joint, then x y z."""
    lines = []
    for t in range(frames):
        values = [
            coordinate(m, t, v, c) if m < persons else 0. for m in range(2)
            for v in range(25) for c in range(3)
        ]
        lines.append(' ' + ' '.join(f'{x:.6f}' for x in values))
    return lines


def write(path, lines):
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


def write_split(path, train, test):
    """The official layout, with the release's spelling and commas."""
    return write(path, [
        'Training videos: ', ', '.join(train) + ',', 'Validataion videos: ',
        ', '.join(test) + ','
    ])


@pytest.fixture
def pku_root(tmp_path):
    for folder in ('Skeleton', 'Label', 'Split'):
        (tmp_path / folder).mkdir()
    for name, (frames, persons, labels) in VIDEOS.items():
        write(tmp_path / 'Skeleton' / f'{name}.txt',
              skeleton_lines(frames, persons))
        write(tmp_path / 'Label' / f'{name}.txt', labels)
    write(tmp_path / 'Skeleton' / '0099-R.txt', skeleton_lines(3, 1))
    write_split(tmp_path / 'Split' / 'cross-subject.txt', *XSUB)
    write_split(tmp_path / 'Split' / 'cross-view.txt', *XVIEW)
    return tmp_path


def args(root, *extra, xsub=True, xview=True, out='out/pku.pkl'):
    argv = [
        '--skeleton-dir',
        str(root / 'Skeleton'), '--label-dir',
        str(root / 'Label'), '--out',
        str(root / out)
    ]
    if xsub:
        argv += ['--xsub-split', str(root / 'Split' / 'cross-subject.txt')]
    if xview:
        argv += ['--xview-split', str(root / 'Split' / 'cross-view.txt')]
    return argv + list(extra)


def convert(root, **kwargs):
    split_files = dict(
        xsub=str(root / 'Split' / 'cross-subject.txt'),
        xview=str(root / 'Split' / 'cross-view.txt'))
    return pku.convert(
        str(root / 'Skeleton'), str(root / 'Label'), split_files, **kwargs)


def expected_labels(frames, label_lines, base=1):
    labels = [0] * frames
    for line in label_lines:
        label, start, end, _ = map(int, line.split(','))
        for frame in range(start, end + 1):
            labels[frame - base] = label
    return labels


# ------------------------------------------------------------ readers --


def test_read_skeleton_file_layout(tmp_path):
    path = write(tmp_path / 'a.txt', skeleton_lines(4, 2) + ['', ''])
    keypoint = pku.read_skeleton_file(path)
    assert keypoint.shape == (2, 4, 25, 3)
    assert keypoint.dtype == np.float32
    for m in range(2):
        for t in range(4):
            for v in range(25):
                for c in range(3):
                    assert keypoint[m, t, v,
                                    c] == np.float32(coordinate(m, t, v, c))
    single = pku.read_skeleton_file(
        write(tmp_path / 'b.txt', skeleton_lines(3, 1)))
    assert single[0].any() and not single[1].any()


def test_frame_labels_are_inclusive_and_one_based():
    instances = [(1, 3, 2, 4), (2, 51, 7, 12)]
    labels, overlapped = pku.intervals_to_frame_labels(instances, 12, 'x')
    assert labels.tolist() == [0, 3, 3, 3, 0, 0, 51, 51, 51, 51, 51, 51]
    assert labels.dtype == np.int64 and not overlapped
    zero, _ = pku.intervals_to_frame_labels([(1, 5, 0, 1), (2, 6, 11, 11)],
                                            12,
                                            'x',
                                            zero_based=True)
    assert zero.tolist() == [5, 5] + [0] * 9 + [6]


def test_overlap_is_an_error_unless_allowed():
    instances = [(1, 8, 3, 8), (2, 39, 5, 6), (3, 10, 8, 9)]
    with pytest.raises(
            pku.PkuFormatError,
            match=re.escape('lab.txt:2: interval 5..6 overlaps the interval '
                            'on line 1')):
        pku.intervals_to_frame_labels(instances, 10, 'lab.txt')
    labels, overlapped = pku.intervals_to_frame_labels(
        instances, 10, 'lab.txt', allow_overlap=True)
    assert overlapped
    assert labels.tolist() == [0, 0, 8, 8, 39, 39, 8, 10, 10, 0]
    # adjacent intervals (end 332, next start 333) do not overlap
    _, overlapped = pku.intervals_to_frame_labels([(1, 1, 1, 3), (2, 2, 4, 5)],
                                                  5, 'x')
    assert not overlapped


def test_read_split_file(tmp_path):
    path = write(tmp_path / 's.txt', [
        'Training videos: ', '0002-L, 0002-M,', '', 'Validation videos: '
        '0003-R', '0004-L,'
    ])
    assert pku.read_split_file(path) == dict(
        train=['0002-L', '0002-M'], test=['0003-R', '0004-L'])


@pytest.mark.parametrize('lines, line, reason', [
    (['0002-L', 'Training videos:'], 1, 'video names before'),
    (['Training videos:', '0002-L, 0002-M', 'Validataion videos:', '0002-M'
      ], 4, '0002-M is listed again (first on line 2)'),
    (['Training videos:', '0002-L 0002-M', 'Validataion videos:', '0003-L'
      ], 2, "'0002-L 0002-M' is not a video name"),
    (['Training videos:', '0002-L', 'Training videos:'
      ], 3, "second 'Training' header"),
    (['Training videos:', '0002-L'], None, 'no "Validataion videos:" list'),
])
def test_split_file_errors(tmp_path, lines, line, reason):
    path = write(tmp_path / 'split.txt', lines)
    where = f'{path}:{line}' if line else path
    with pytest.raises(
            pku.PkuFormatError, match=re.escape(f'{where}: {reason}')):
        pku.read_split_file(path)


# --------------------------------------------------------- conversion --


def test_conversion(pku_root):
    data, bad, stats = convert(pku_root)
    assert bad == [] and stats == dict(unlisted=1, overlapping=0)
    assert data['split'] == dict(
        xsub_train=XSUB[0],
        xsub_test=XSUB[1],
        xview_train=XVIEW[0],
        xview_test=XVIEW[1])
    assert data['classes'] == list(TextBank('pku_mmd').labels)
    assert len(data['classes']) == 52 and data['classes'][0] == 'NONE'
    annos = {a['frame_dir']: a for a in data['annotations']}
    assert sorted(annos) == sorted(VIDEOS)
    for name, (frames, persons, labels) in VIDEOS.items():
        anno = annos[name]
        assert anno['keypoint'].shape == (2, frames, 25, 3)
        assert anno['keypoint'].dtype == np.float32
        assert anno['total_frames'] == frames
        assert anno['frame_labels'].dtype == np.int64
        assert anno['frame_labels'].tolist() == expected_labels(frames, labels)
        assert bool(anno['keypoint'][1].any()) == (persons == 2)
    assert not annos['0003-L']['frame_labels'].any()  # all NONE


def test_zero_based_frames(pku_root):
    write(pku_root / 'Label' / '0003-L.txt', ['7,0,2,1', '9,7,7,1'])
    data, _, _ = convert(pku_root, zero_based=True, skip_bad=True)
    annos = {a['frame_dir']: a for a in data['annotations']}
    assert annos['0003-L']['frame_labels'].tolist() == expected_labels(
        8, ['7,0,2,1', '9,7,7,1'], base=0)
    # 0002-M starts at frame 1 and 0002-L ends at frame 12 = T: valid only
    # when 1-based
    assert '0002-M' in annos and '0002-L' not in annos


def test_cli_single_protocol_and_dataset(pku_root, capsys):
    assert pku.main(args(pku_root, xsub=False)) == 0
    out = pku_root / 'out' / 'pku.pkl'
    data = mmengine.load(str(out))
    assert data['split'] == dict(xview_train=XVIEW[0], xview_test=XVIEW[1])
    assert 'xview_test: 2' in capsys.readouterr().out
    pipeline = [
        dict(type='SegmentationFeatures', num_person=2),
        dict(type='PackSegmentationInputs')
    ]
    dataset = SkeletonSegmentationDataset(
        str(out),
        pipeline,
        split='xview_test',
        num_joints=25,
        keypoint_dims=3,
        test_mode=True)
    assert len(dataset) == 2 and dataset.num_classes == 52
    assert dataset.metainfo['classes'][51] == data['classes'][51]
    item = dataset[0]
    assert tuple(item['inputs'].shape) == (12, 12, 25)  # 0002-L: T = 12
    train = SkeletonSegmentationDataset(
        str(out), split='xview_train', num_joints=25, keypoint_dims=3)
    assert [train.get_data_info(i)['frame_dir']
            for i in range(len(train))] == XVIEW[0]


def test_cli_both_protocols(pku_root, capsys):
    assert pku.main(args(pku_root)) == 0
    data = mmengine.load(str(pku_root / 'out' / 'pku.pkl'))
    assert sorted(data['split']) == [
        'xsub_test', 'xsub_train', 'xview_test', 'xview_train'
    ]
    assert '1 skeleton files in no split list' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        pku.main(args(pku_root, xsub=False, xview=False))


BAD = '0002-R'  # in xsub_train and xview_train


def skeleton_with(line, text):
    lines = skeleton_lines(9, 2)
    lines[line - 1] = text
    return lines


@pytest.mark.parametrize('folder, lines, line, reason', [
    ('Skeleton', skeleton_with(3, ' '.join(['0.5'] * 149)), 3,
     'expected 150 values (2 persons x 25 joints x (x, y, z)), got 149'),
    ('Skeleton', skeleton_with(
        2, ' '.join(['0.5'] * 149 + ['abc'])), 2, "non-numeric value 'abc'"),
    ('Skeleton', skeleton_with(
        5, ' '.join(['nan'] + ['0.5'] * 149)), 5, 'has NaN/inf values'),
    ('Skeleton', skeleton_with(4, ''), 4,
     'expected 150 values (2 persons x 25 joints x (x, y, z)), got 0'),
    ('Skeleton', [], None, 'has no frames'),
    ('Label', ['12,4,9,2', '52,1,2,1'], 2, 'label 52 is outside 1..51'),
    ('Label', ['0,1,2,1'], 1, 'label 0 is outside 1..51'),
    ('Label', ['12,4,x,2'], 1, "non-integer value in '12,4,x,2'"),
    ('Label', ['12,4,9'], 1, 'expected 4 comma separated values'),
    ('Label', ['12,4,10,2'], 1, 'interval 4..10 is outside the sequence: '
     'the skeleton file has 9 frames, numbered 1..9'),
    ('Label', ['12,0,3,2'], 1, 'interval 0..3 is outside the sequence'),
    ('Label', ['12,6,4,2'], 1, 'start 6 > end 4'),
    ('Label', ['12,1,5,2', '13,5,9,1'
               ], 2, 'interval 5..9 overlaps the interval on line 1'),
])
def test_bad_videos(pku_root, folder, lines, line, reason):
    path = write(pku_root / folder / f'{BAD}.txt', lines)
    where = f'{path}:{line}' if line else path
    with pytest.raises(pku.ConversionError) as err:
        convert(pku_root)
    assert f'{where}: {reason}' in str(err.value)
    data, bad, _ = convert(pku_root, skip_bad=True)
    assert len(bad) == 1 and bad[0].startswith(f'{where}: {reason}')
    names = [a['frame_dir'] for a in data['annotations']]
    assert BAD not in names and len(names) == 3
    assert data['split']['xsub_train'] == ['0002-L', '0002-M']
    assert data['split']['xview_train'] == ['0002-M']


@pytest.mark.parametrize('folder', ['Skeleton', 'Label'])
def test_listed_video_without_file(pku_root, folder):
    (pku_root / folder / f'{BAD}.txt').unlink()
    _, bad, _ = convert(pku_root, skip_bad=True)
    split = pku_root / 'Split' / 'cross-subject.txt'
    assert bad == [
        f'{pku_root / folder / BAD}.txt: missing, but {split} lists {BAD}'
    ]


def test_allow_overlap(pku_root):
    write(pku_root / 'Label' / f'{BAD}.txt', ['12,1,5,2', '13,5,9,1'])
    data, bad, stats = convert(pku_root, allow_overlap=True)
    assert bad == [] and stats['overlapping'] == 1
    anno = [a for a in data['annotations'] if a['frame_dir'] == BAD][0]
    assert anno['frame_labels'].tolist() == [12] * 4 + [13] * 5


def test_cli_bad_video(pku_root, capsys):
    write(pku_root / 'Label' / f'{BAD}.txt', ['99,1,2,1'])
    out = pku_root / 'out' / 'pku.pkl'
    assert pku.main(args(pku_root)) == 1 and not out.exists()
    assert f'{BAD}.txt:1: label 99' in capsys.readouterr().err
    assert pku.main(args(pku_root, '--skip-bad')) == 0
    captured = capsys.readouterr()
    assert f'{BAD}.txt:1: label 99' in captured.err
    assert '3 videos (1 bad' in captured.out
    assert BAD not in mmengine.load(str(out))['split']['xsub_train']


def test_all_bad_and_bad_split_file(pku_root, capsys):
    for name in VIDEOS:
        (pku_root / 'Label' / f'{name}.txt').unlink()
    with pytest.raises(pku.ConversionError, match='no video could be'):
        convert(pku_root, skip_bad=True)
    write(pku_root / 'Split' / 'cross-view.txt', ['Training videos:'])
    assert pku.main(args(pku_root, '--skip-bad')) == 1
    assert 'cross-view.txt: no "Training videos:" list' in \
        capsys.readouterr().err
