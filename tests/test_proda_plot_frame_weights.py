"""tools/proda/plot_frame_weights.py: Figure 3 from a test dump."""
import os.path as osp
import pickle
import sys

import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgb

from mmaction_ext.utils import BadInputError

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'proda'))
import plot_frame_weights as tool  # noqa: E402

C, N = 4, 6


def sample(video_id='v0', distractor=(True, False, False)):
    """A dumped sample: class 1 in frames 10-29 (stop 30 excluded), class 3
    absent."""
    specs = torch.zeros(len(distractor), C, dtype=torch.bool)
    specs[:, 1] = True
    specs[2, 1] = False
    specs[2, 3] = True  # names only an absent class
    return dict(
        video_id=video_id,
        frame_inds=torch.arange(N) * 10,
        action_segments=[(1, 10, 30)],
        action_specs=specs,
        spec_distractor=torch.tensor(distractor),
        frame_weights=torch.tensor([0.1, 0.9, 0.8, 0.95, 0.2, 0.1]).repeat(
            len(distractor), 1),
        pred_score=torch.rand(C))


def write_dump(path, samples):
    with open(path, 'wb') as f:
        pickle.dump(samples, f)
    return str(path)


def test_rows_are_clean_specs_naming_a_present_class():
    rows, gt = tool.spec_rows(sample(), 4)
    assert [(row, classes.tolist()) for row, classes in rows] == [(1, [1])]
    np.testing.assert_array_equal(gt[:, 1], [0, 1, 1, 0, 0, 0])


def test_writes_a_png_of_the_chosen_video(tmp_path, capsys):
    dump = write_dump(tmp_path / 'd.pkl', [sample('a'), sample('b')])
    out = str(tmp_path / 'fig.png')
    assert tool.main([dump, out, '--video', 'b', '--theta', '0.5']) == 0
    with open(out, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    assert 'video b, 1 specification(s), theta 0.5' in capsys.readouterr().out


def test_prediction_bar_is_the_thresholded_normalized_s():
    s = sample()
    rows, gt = tool.spec_rows(s, 4)
    fig = tool.draw(s, rows, gt, theta=0.7)
    bars = fig.axes[0].patches
    green = sorted(b.get_x() + b.get_width() / 2 for b in bars
                   if b.get_facecolor()[:3] == to_rgb('green'))
    red = sorted(b.get_x() + b.get_width() / 2 for b in bars
                 if b.get_facecolor()[:3] == to_rgb('red'))
    # normalized s = (s - 0.1) / 0.85 > 0.7 at frames 1, 2, 3
    assert green == [1, 2, 3]
    # ground truth: frames 10 and 20 (the segment stops before 30)
    assert red == [1, 2]


@pytest.mark.parametrize('make, args, message', [
    (lambda: [sample()], ['--theta', '1.5'], '--theta must be in'),
    (lambda: [], [], 'non-empty list'),
    (lambda: [{k: v for k, v in sample().items() if k != 'frame_weights'}],
     [], "sample 0 \\(v0\\) has no frame_weights"),
    (lambda: [sample()], ['--video', 'nope'], "no video 'nope'"),
    (lambda: [sample(distractor=(True, True, True))], [],
     'no video has a non-distractor'),
])
def test_bad_input_is_named(tmp_path, make, args, message):
    dump = write_dump(tmp_path / 'd.pkl', make())
    with pytest.raises(BadInputError, match=message):
        tool.main([dump, str(tmp_path / 'o.png'), *args])
    assert not osp.exists(tmp_path / 'o.png')


def test_existing_png_is_kept_without_overwrite(tmp_path):
    dump = write_dump(tmp_path / 'd.pkl', [sample()])
    out = tmp_path / 'o.png'
    out.write_bytes(b'mine')
    with pytest.raises(BadInputError, match='--overwrite'):
        tool.main([dump, str(out)])
    assert out.read_bytes() == b'mine'
    assert tool.main([dump, str(out), '--overwrite']) == 0
    assert out.read_bytes() != b'mine'


def test_class_names_come_from_the_annotation(tmp_path):
    ann = write_dump(tmp_path / 'a.pkl',
                     dict(metainfo=dict(classes=['a', 'b', 'c', 'd'])))
    assert tool.class_names(ann, C) == ['a', 'b', 'c', 'd']
    with pytest.raises(BadInputError, match='names 4 classes, the dump has 5'):
        tool.class_names(ann, 5)
