"""Converter of prepared segmentation releases (PKU-MMD, LARa, MCFS, TCG)."""
import json
import os.path as osp
import re
import subprocess
import sys

import mmengine
import numpy as np
import pytest

import mmaction_ext  # noqa: F401
from mmaction_ext.datasets import SkeletonSegmentationDataset
from mmaction_ext.datasets.conversion import ConversionError
from mmaction_ext.datasets.transforms import SegmentationFeatures
from mmaction_ext.text import TextBank

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))
import prepared_to_segmentation as prep  # noqa: E402

SCRIPT = osp.join(ROOT, 'tools', 'data', 'prepared_to_segmentation.py')

# ------------------------------------------------------------ helpers --


def write_release(root,
                  videos,
                  labels='groundTruth',
                  mapping=None,
                  bundles=None,
                  label_ext='.txt'):
    """A tiny release folder.

    Args:
        videos (dict): name -> (feature array, labels): names (list of str)
            for groundTruth, an array for gt_arr.
        mapping (list[str], optional): mapping.txt names, index = position.
        bundles (dict, optional): split -> names (written with label_ext).
    """
    (root / 'features').mkdir(parents=True, exist_ok=True)
    (root / labels).mkdir(exist_ok=True)
    for name, (feature, frame_labels) in videos.items():
        if feature is not None:
            np.save(root / 'features' / f'{name}.npy', feature)
        if frame_labels is None:
            continue
        if labels == 'gt_arr':
            np.save(root / 'gt_arr' / f'{name}.npy', frame_labels)
        else:
            (root / labels / f'{name}{label_ext}').write_text(''.join(
                f'{n}\n' for n in frame_labels))
    if mapping is not None:
        (root / 'mapping.txt').write_text(''.join(
            f'{i} {n}\n' for i, n in enumerate(mapping)))
    if bundles:
        (root / 'splits').mkdir()
        for split, names in bundles.items():
            (root / 'splits' / f'{split}.split1.bundle').write_text(''.join(
                f'{n}{label_ext}\n' for n in names))
    return str(root)


def release_spelling(name):
    """How a release might spell one of our names (no spaces)."""
    return name.lower().replace(' ', '_')


def run(root, dataset, tmp_path, *extra):
    out = str(tmp_path / f'{dataset}.pkl')
    # some tests convert twice into the same output
    assert prep.main(['--root', root, '--dataset', dataset, '--out', out,
                      '--overwrite'] + list(extra)) == 0
    return out, mmengine.load(out)


def by_name(data):
    return {anno['frame_dir']: anno for anno in data['annotations']}


def official_disp_rel(sample, root_joint=0):
    """The official disp + rel features of a (C, T, V, M) sample: (C', V, T).

    Written from TRG-Net's official loader (github.com/HaoyuJi/TRG-Net
    ``libs/dataset.py`` @ ec593c67).
    """
    channels, frames, joints, persons = sample.shape
    valid = np.abs(sample).sum(axis=(0, 2, 3)) > 0
    start = int(np.argmax(valid))
    end = frames - int(np.argmax(valid[::-1]))
    disp = np.zeros_like(sample)
    rel = np.zeros_like(sample)
    for t in range(start, end):
        if t + 1 < end:
            disp[:, t] = sample[:, t + 1] - sample[:, t]
        rel[:, t] = sample[:, t] - sample[:, t, root_joint:root_joint + 1]
    feature = np.concatenate([disp, rel], axis=0)  # 2C, T, V, M
    out = np.zeros((persons * 2 * channels, joints, frames), np.float32)
    for m in range(persons):
        for c in range(2 * channels):
            out[m * 2 * channels + c] = feature[c, :, :, m].T
    return out


def our_features(anno, **kwargs):
    """SegmentationFeatures of a converted annotation as (C', V, T)."""
    results = SegmentationFeatures(**kwargs).transform(
        dict(keypoint=anno['keypoint']))
    return results['inputs'].transpose(0, 2, 1)


def load_dataset(out, split, **kwargs):
    return SkeletonSegmentationDataset(
        ann_file=out, pipeline=[], split=split, **kwargs)


# ---------------------------------------------------------------- PKU --


@pytest.fixture
def pku_release(tmp_path):
    classes = TextBank('pku_mmd').labels
    rng = np.random.default_rng(0)
    videos = {}
    clips = (('A01N01-L', 12), ('A01N02-M', 9), ('A02N01-R', 7))
    for i, (name, frames) in enumerate(clips):
        feature = rng.normal(size=(frames, 150)).astype(np.float32)
        feature[:, 75:] *= i % 2  # one-person videos: person 1 all zero
        names = [
            release_spelling(classes[(i * 7 + t // 3) % 52])
            for t in range(frames)
        ]
        videos[name] = (feature, names)
    root = write_release(
        tmp_path / 'PKU-view',
        videos,
        mapping=[release_spelling(c) for c in classes],
        bundles=dict(train=['A01N01-L', 'A01N02-M'], test=['A02N01-R']))
    return root, videos


def test_pku_layout_labels_and_splits(pku_release, tmp_path):
    root, videos = pku_release
    classes = TextBank('pku_mmd').labels
    out, data = run(root, 'pku', tmp_path)
    assert data['classes'] == classes
    assert data['split'] == dict(
        train=['A01N01-L', 'A01N02-M'], test=['A02N01-R'])
    annos = by_name(data)
    for name, (feature, names) in videos.items():
        frames = len(feature)
        expected = np.zeros((2, frames, 25, 3), np.float32)
        for t in range(frames):
            for m in range(2):
                for v in range(25):
                    for c in range(3):
                        expected[m, t, v, c] = feature[t, m * 75 + v * 3 + c]
        anno = annos[name]
        assert anno['keypoint'].dtype == np.float32
        np.testing.assert_array_equal(anno['keypoint'], expected)
        assert anno['total_frames'] == frames
        assert anno['frame_labels'].dtype == np.int64
        assert [classes[i] for i in anno['frame_labels']] == [
            next(c for c in classes if release_spelling(c) == n) for n in names
        ]
        assert 'keypoint_score' not in anno
        # stored joints + our transform = the official 12 x 25 x T input
        sample = feature.reshape(-1, 2, 25, 3).transpose(3, 0, 2, 1)
        np.testing.assert_allclose(
            our_features(anno, num_person=2),
            official_disp_rel(sample),
            atol=1e-6)
    train = load_dataset(out, 'train', num_joints=25, keypoint_dims=3)
    test = load_dataset(out, 'test', num_joints=25, keypoint_dims=3)
    assert len(train) == 2 and len(test) == 1
    assert train.metainfo['classes'] == tuple(classes)


def test_pku_gt_arr_labels_through_mapping(pku_release, tmp_path):
    """gt_arr indices -> mapping.txt names -> our indices (by name)."""
    root, videos = pku_release
    classes = TextBank('pku_mmd').labels
    # the release lists its classes in another order than ours
    release = [release_spelling(c) for c in classes[::-1]]
    with open(osp.join(root, 'mapping.txt'), 'w') as f:
        f.writelines(f'{i} {n}\n' for i, n in enumerate(release))
    (tmp_path / 'PKU-view' / 'gt_arr').mkdir()
    expected = {}
    for name, (_, names) in videos.items():
        indices = np.array([release.index(n) for n in names], np.float64)
        np.save(osp.join(root, 'gt_arr', f'{name}.npy'), indices)
        expected[name] = [
            classes.index(
                next(c for c in classes if release_spelling(c) == n))
            for n in names
        ]
    _, data = run(root, 'pku', tmp_path, '--labels', 'gt_arr')
    for name, anno in by_name(data).items():
        assert anno['frame_labels'].tolist() == expected[name]


# --------------------------------------------------------------- LARa --

LARA_OWN_NAMES = ('Standing', 'Walking', 'Cart', 'Handling_upwards',
                  'Handling_centred', 'Handling_downwards', 'Synchronization',
                  'None')


def lara_videos(rng, channels=6, persons=1):
    videos = {}
    clips = (('L01_S01_R01', 10), ('L02_S01_R02', 8))
    for i, (name, frames) in enumerate(clips):
        feature = rng.normal(size=(channels, frames, 19,
                                   persons)).astype(np.float32)
        names = [LARA_OWN_NAMES[(i + t) % 8] for t in range(frames)]
        videos[name] = (feature, names)
    return videos


@pytest.mark.parametrize('channels,persons', [(6, 1), (3, 2)])
def test_lara_layout_and_class_map(tmp_path, channels, persons):
    rng = np.random.default_rng(1)
    videos = lara_videos(rng, channels, persons)
    root = write_release(
        tmp_path / 'LARA',
        videos,
        label_ext='.csv',
        bundles=dict(train=['L01_S01_R01'], test=['L02_S01_R02']))
    class_map = tmp_path / 'lara_map.json'
    class_map.write_text(
        json.dumps(dict(Cart='Cart Handling', Synchronization=6)))
    out, data = run(root, 'lara', tmp_path, '--class-map', str(class_map))
    classes = TextBank('lara').labels
    ours = dict(Cart=2, Synchronization=6)
    for name, anno in by_name(data).items():
        feature, names = videos[name]
        _, frames, joints, _ = feature.shape
        expected = np.zeros((persons, frames, joints, channels), np.float32)
        for m in range(persons):
            for t in range(frames):
                for v in range(joints):
                    for c in range(channels):
                        expected[m, t, v, c] = feature[c, t, v, m]
        np.testing.assert_array_equal(anno['keypoint'], expected)
        assert anno['frame_labels'].tolist() == [
            ours.get(n, LARA_OWN_NAMES.index(n)) for n in names
        ]
        official = official_disp_rel(feature)
        assert official.shape == (12, 19, frames)
        np.testing.assert_allclose(our_features(anno), official, atol=1e-6)
    dataset = load_dataset(out, 'test', num_joints=19, keypoint_dims=channels)
    assert len(dataset) == 1 and len(dataset.metainfo['classes']) == 8
    assert classes[ours['Cart']] == 'Cart Handling'


def test_lara_unmatched_names_are_all_listed(tmp_path, capsys):
    videos = lara_videos(np.random.default_rng(2))
    root = write_release(tmp_path / 'LARA', videos, label_ext='.csv')
    with pytest.raises(ConversionError) as err:
        prep.convert(root, 'lara')
    message = str(err.value).split('Ours begin')[0]
    assert message.startswith('2 class name(s)')
    assert "'Cart'" in message and "'Synchronization'" in message
    assert "'Walking'" not in message  # matched by name
    assert prep.main([
        '--root', root, '--dataset', 'lara', '--out',
        str(tmp_path / 'x.pkl')
    ]) == 1
    assert 'Synchronization' in capsys.readouterr().err
    assert not (tmp_path / 'x.pkl').exists()


def test_lara_mixed_layouts_are_refused(tmp_path):
    rng = np.random.default_rng(3)
    videos = lara_videos(rng)
    videos['L02_S01_R02'] = (rng.normal(size=(3, 8, 19, 2)),
                             videos['L02_S01_R02'][1])
    root = write_release(tmp_path / 'LARA', videos, label_ext='.csv')
    class_map = tmp_path / 'map.txt'
    class_map.write_text('# release name, our name\nCart Cart Handling\n'
                         'Synchronization Waving hands\n')
    with pytest.raises(ConversionError, match='L02_S01_R02.*3-D keypoints'):
        prep.convert(root, 'lara', class_map=str(class_map))


# --------------------------------------------------------------- MCFS --

MCFS_ABBREVIATIONS = ['NONE'] + [f'Element{i}' for i in range(1, 22)]


def test_mcfs22_gt_arr_by_index_with_score(tmp_path):
    rng = np.random.default_rng(4)
    videos = {}
    for i, (name, frames) in enumerate((('n01_p01', 11), ('n02_p03', 6))):
        feature = rng.uniform(0, 1280, size=(frames, 25, 3)).astype(np.float32)
        feature[..., 2] = rng.uniform(size=(frames, 25))
        labels = np.array([(i * 5 + t) % 22 for t in range(frames)],
                          np.float64)  # DeST saves float arrays
        videos[name] = (feature, labels)
    root = write_release(
        tmp_path / 'MCFS-22',
        videos,
        labels='gt_arr',
        mapping=MCFS_ABBREVIATIONS,
        bundles=dict(train=['n01_p01'], test=['n02_p03']))
    # names like the release's abbreviations match none of ours
    with pytest.raises(ConversionError, match='21 class name') as err:
        prep.convert(root, 'mcfs22')
    assert 'Element21' in str(err.value)
    out, data = run(root, 'mcfs22', tmp_path, '--match-by', 'index')
    for name, anno in by_name(data).items():
        feature, labels = videos[name]
        frames = len(feature)
        assert anno['keypoint'].shape == (1, frames, 25, 2)
        np.testing.assert_array_equal(anno['keypoint'][0], feature[..., :2])
        np.testing.assert_array_equal(anno['keypoint_score'][0], feature[...,
                                                                         2])
        assert anno['frame_labels'].tolist() == labels.astype(int).tolist()
        # official MCFS input: x / 1280 - 0.5, y / 720 - 0.5, minus joint 8
        official = np.zeros((2, 25, frames), np.float32)
        for t in range(frames):
            for v in range(25):
                for c, size in enumerate((1280, 720)):
                    official[c, v, t] = (
                        feature[t, v, c] / size - feature[t, 8, c] / size)
        np.testing.assert_allclose(
            our_features(anno, mode='mcfs'), official, atol=1e-5)
    dataset = load_dataset(out, 'train', num_joints=25, keypoint_dims=2)
    assert len(dataset) == 1


def test_mcfs130_two_channels_and_index_warnings(tmp_path, capsys):
    classes = TextBank('mcfs130').labels
    feature = np.arange(5 * 25 * 2, dtype=np.float32).reshape(5, 25, 2)
    mapping = list(classes)
    mapping[1], mapping[2] = mapping[2], mapping[1]  # a swapped order
    root = write_release(
        tmp_path / 'MCFS-130', {'n05_p01': (feature, np.arange(5))},
        labels='gt_arr',
        mapping=[release_spelling(n) for n in mapping])
    out = str(tmp_path / 'mcfs130.pkl')
    assert prep.main([
        '--root', root, '--dataset', 'mcfs130', '--out', out, '--match-by',
        'index'
    ]) == 0
    captured = capsys.readouterr()
    assert 'warning' in captured.err and 'double_axel' in captured.err
    assert 'without a split' in captured.out
    data = mmengine.load(out)
    anno = data['annotations'][0]
    assert 'keypoint_score' not in anno
    np.testing.assert_array_equal(anno['keypoint'][0], feature)
    assert data['split'] == {}
    assert len(load_dataset(out, None, num_joints=25)) == 1
    # by name the swap is undone
    _, data = run(root, 'mcfs130', tmp_path)
    assert data['annotations'][0]['frame_labels'].tolist() == [0, 2, 1, 3, 4]


def test_index_mode_needs_matching_class_count(tmp_path):
    root = write_release(
        tmp_path / 'MCFS-22', {'n01_p01': (np.zeros((3, 25, 2)), np.zeros(3))},
        labels='gt_arr',
        mapping=MCFS_ABBREVIATIONS[:20])
    with pytest.raises(ConversionError, match='20 classes, we have 22'):
        prep.convert(root, 'mcfs22', match_by='index')


# ---------------------------------------------------------------- TCG --


def test_tcg_csv_splits_and_gt_arr_without_mapping(tmp_path):
    rng = np.random.default_rng(5)
    videos = {
        name: (rng.normal(size=(frames, 17, 3)).astype(np.float32),
               np.arange(frames) % 15)
        for name, frames in (('s01_t01', 9), ('s02_t01', 6), ('s03_t02', 5))
    }
    root = write_release(tmp_path / 'TCG-15', videos, labels='gt_arr')
    csv_dir = tmp_path / 'csv' / 'TCG-15'
    csv_dir.mkdir(parents=True)
    for split, names in (('train', ['s01_t01']), ('val', ['s02_t01']),
                         ('test', ['s03_t02', 's02_t01'])):
        rows = ['feature,label,boundary'] + [
            f'/TCG-15/features/{n}.npy,/TCG-15/gt_arr/{n}.npy,'
            f'/TCG-15/gt_boundary_arr/{n}.npy' for n in names
        ]
        (csv_dir / f'{split}1.csv').write_text('\n'.join(rows) + '\n')
    with pytest.raises(ConversionError, match='need .*mapping.txt'):
        prep.convert(root, 'tcg', csv_dir=str(csv_dir))
    out, data = run(root, 'tcg', tmp_path, '--csv-dir', str(csv_dir),
                    '--match-by', 'index')
    assert data['split'] == dict(
        train=['s01_t01'], val=['s02_t01'], test=['s03_t02', 's02_t01'])
    assert len(data['annotations']) == 3
    for name, anno in by_name(data).items():
        feature, labels = videos[name]
        np.testing.assert_array_equal(anno['keypoint'], feature[None])
        assert anno['frame_labels'].tolist() == labels.tolist()
        sample = feature[:, :, :, None].transpose(2, 0, 1, 3)
        np.testing.assert_allclose(
            our_features(anno, root_joint=2),
            official_disp_rel(sample, root_joint=2),
            atol=1e-6)
    assert len(load_dataset(out, 'val', num_joints=17, keypoint_dims=3)) == 1


# ------------------------------------------------------------- errors --


@pytest.fixture
def broken_release(tmp_path):
    """Six PKU videos, five of them bad in different ways."""
    rng = np.random.default_rng(6)
    classes = TextBank('pku_mmd').labels
    mapping = [release_spelling(c) for c in classes]

    def clip(frames):
        return rng.normal(size=(frames, 150)).astype(np.float32)

    videos = {
        'good': (clip(4), ['none', 'bow', 'bow', 'none']),
        'no_labels': (clip(4), None),
        'no_features': (None, ['bow'] * 4),
        'mismatch': (clip(5), ['bow'] * 4),
        'bad_shape': (rng.normal(size=(4, 2, 25, 3)), ['bow'] * 4),
        'unknown': (clip(3), ['bow', 'moonwalk', 'bow']),
    }
    root = write_release(
        tmp_path / 'PKU',
        videos,
        mapping=mapping,
        bundles=dict(
            train=['good', 'no_labels', 'no_features', 'mismatch'],
            test=['bad_shape', 'unknown']))
    return root


def test_bad_videos_are_named(broken_release):
    with pytest.raises(ConversionError) as err:
        prep.convert(broken_release, 'pku')
    message = str(err.value)
    assert message.startswith('5 bad file(s)')
    expected = [
        (r'groundTruth/no_labels\.txt', 'label file is missing'),
        (r'features/no_features\.npy', 'feature file is missing'),
        (r'features/mismatch\.npy', r'5 frames but .*mismatch\.txt has 4'),
        (r'features/bad_shape\.npy', r'expected \(T, 150\)'),
        (r'groundTruth/unknown\.txt', "'moonwalk' on line 2"),
    ]
    for path, reason in expected:
        assert re.search(f'{path}: .*{reason}', message), (path, message)


def test_skip_bad_keeps_the_good_videos(broken_release, tmp_path, capsys):
    out, data = run(broken_release, 'pku', tmp_path, '--skip-bad')
    assert [a['frame_dir'] for a in data['annotations']] == ['good']
    assert data['split'] == dict(train=['good'], test=[])
    assert data['annotations'][0]['frame_labels'].tolist() == [0, 1, 1, 0]
    report = capsys.readouterr().err
    assert report.startswith('5 bad file(s)') and 'moonwalk' in report
    assert len(load_dataset(out, 'train', num_joints=25)) == 1


def test_bad_label_files(tmp_path):
    feature = np.zeros((3, 17, 3), np.float32)
    videos = {
        'float': (feature, np.array([0, 1.5, 2])),
        'out_of_range': (feature, np.array([0, 15, 1])),
        'two_d': (feature, np.zeros((3, 1), np.int64)),
    }
    root = write_release(tmp_path / 'TCG', videos, labels='gt_arr')
    with pytest.raises(ConversionError) as err:
        prep.convert(root, 'tcg', match_by='index')
    message = str(err.value)
    assert re.search(r'float\.npy: label 1\.5 at frame 1 is not an integer',
                     message)
    assert re.search(r'out_of_range\.npy: .*outside \[0, 15\)', message)
    assert re.search(r'two_d\.npy: has shape \(3, 1\)', message)


def test_bad_mapping_and_class_map(tmp_path):
    root = write_release(
        tmp_path / 'TCG',
        {'a': (np.zeros((2, 17, 3)), ['inactive', 'stop_both-static'])})
    (tmp_path / 'TCG' / 'mapping.txt').write_text('0 inactive\nstop\n')
    with pytest.raises(prep.PreparedFormatError, match='line 2'):
        prep.convert(root, 'tcg')
    (tmp_path / 'TCG' / 'mapping.txt').unlink()
    class_map = tmp_path / 'map.json'
    class_map.write_text(json.dumps({'inactive': 'sleeping'}))
    with pytest.raises(ConversionError, match="'sleeping'.*not one of"):
        prep.convert(root, 'tcg', class_map=str(class_map))
    _, data = run(root, 'tcg', tmp_path)  # exact names match as they are
    assert data['annotations'][0]['frame_labels'].tolist() == [0, 1]


def test_name_normalisation():
    assert prep.normalise_class_name('Check Time (From Watch)') == \
        prep.normalise_class_name('check_time_from-watch')
    assert prep.strip_extension('A01N01-L.txt') == 'A01N01-L'
    assert prep.strip_extension('n01_p01') == 'n01_p01'


@pytest.mark.slow
def test_script_runs_standalone():
    result = subprocess.run([sys.executable, SCRIPT, '--help'],
                            capture_output=True,
                            text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert '--match-by' in result.stdout


def test_split_prefix_names_the_protocol(pku_release, tmp_path):
    root, _ = pku_release
    out, data = run(root, 'pku', tmp_path, '--split-prefix', 'xsub_')
    assert data['split'] == dict(
        xsub_train=['A01N01-L', 'A01N02-M'], xsub_test=['A02N01-R'])
    assert len(load_dataset(out, 'xsub_train', num_joints=25)) == 2


def test_feature_lists_give_unique_video_names(tmp_path):
    from mmaction_ext.datasets.conversion import (InputFileError,
                                                  read_feature_list)
    good = tmp_path / 'train1.csv'
    good.write_text('feature,label,boundary\n'
                    './d/features/A01N01-L.npy,x,y\n\n'
                    './d/features/A01N02-M.npy,x,y\n'
                    './d/features/A01N01-L.npy,x,y\n')
    assert read_feature_list(str(good)) == ['A01N01-L', 'A01N02-M']
    bad = tmp_path / 'test1.csv'
    bad.write_text('video,label\nA01N01-L,x\n')
    with pytest.raises(InputFileError, match='test1.csv: has no "feature"'):
        read_feature_list(str(bad))
