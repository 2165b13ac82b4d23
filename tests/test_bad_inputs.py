"""Bad skeleton data fails at load time with the file and sample named."""
import copy

import mmengine
import numpy as np
import pytest

import mmaction_ext  # noqa: F401
from mmaction.registry import DATASETS
from mmengine.registry import init_default_scope

init_default_scope('mmaction')


def sample(name, label=0, frames=6, joints=25, persons=1):
    rng = np.random.default_rng(0)
    return dict(
        frame_dir=name,
        label=label,
        total_frames=frames,
        img_shape=(1080, 1920),
        original_shape=(1080, 1920),
        keypoint=rng.normal(size=(persons, frames, joints,
                                  3)).astype(np.float32))


def write(tmp_path, annotations):
    path = str(tmp_path / 'skeletons.pkl')
    names = [a['frame_dir'] for a in annotations]
    mmengine.dump(dict(split=dict(train=names), annotations=annotations), path)
    return path


def build(path, split='train'):
    return DATASETS.build(
        dict(
            type='ValidatedPoseDataset',
            ann_file=path,
            pipeline=[],
            split=split,
            num_joints=25,
            keypoint_dims=3,
            num_classes=4))


GOOD = [sample('S001C001P001R001A001'), sample('S001C001P002R001A002', 1)]


def test_good_file_loads(tmp_path):
    assert len(build(write(tmp_path, GOOD))) == 2


def test_missing_annotation_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere.pkl'):
        build(str(tmp_path / 'nowhere.pkl'))


def test_unknown_split_lists_the_available_ones(tmp_path):
    with pytest.raises(KeyError, match=r"xsub_train.*\['train'\]"):
        build(write(tmp_path, GOOD), split='xsub_train')


@pytest.mark.parametrize(
    'bad,message',
    [(sample('BAD', joints=17), 'has 17 joints, the layout has 25'),
     (sample('BAD', label=4), r'label 4 is outside \[0, 4\)'),
     (sample('BAD', label=-1), 'label -1 is outside'),
     (sample('BAD', frames=0), 'empty sequence'),
     (dict(sample('BAD'), total_frames=0), 'empty sequence')])
def test_bad_sample_is_named(tmp_path, bad, message):
    path = write(tmp_path, GOOD + [bad])
    with pytest.raises(
            ValueError, match=f"(?s)skeletons.pkl.*sample 'BAD' .*"
            f'{message}'):
        build(path)


def test_nan_keypoints_report_count_and_first_frame(tmp_path):
    bad = sample('S001C001P003R001A003')
    bad['keypoint'][0, 4, 7] = np.nan
    with pytest.raises(
            ValueError,
            match='(?s)S001C001P003R001A003.*3 NaN/inf keypoint '
            r'values \(first in frame 4\)'):
        build(write(tmp_path, GOOD + [bad]))


def test_all_problems_are_listed_not_only_the_first(tmp_path):
    bad = [sample(f'BAD{i}', joints=10) for i in range(3)]
    with pytest.raises(ValueError, match='3 problem') as info:
        build(write(tmp_path, GOOD + bad))
    assert all(f"'BAD{i}'" in str(info.value) for i in range(3))


def test_split_entry_without_annotation(tmp_path):
    path = str(tmp_path / 'skeletons.pkl')
    mmengine.dump(
        dict(
            split=dict(train=['S001C001P001R001A001', 'GHOST']),
            annotations=copy.deepcopy(GOOD)), path)
    with pytest.raises(ValueError, match='GHOST'):
        build(path)


def test_user_file_is_not_modified(tmp_path):
    path = write(tmp_path, GOOD + [sample('BAD', joints=17)])
    before = open(path, 'rb').read()
    with pytest.raises(ValueError):
        build(path)
    assert open(path, 'rb').read() == before
