"""tools/ensemble.py: official weights, checks, metrics."""
import os.path as osp
import subprocess
import sys

import mmengine
import numpy as np
import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools'))
import ensemble  # noqa: E402


def dump(path, scores, labels, names):
    mmengine.dump([
        dict(
            pred_score=torch.tensor(s),
            gt_label=torch.tensor([int(y)]),
            frame_dir=n) for s, y, n in zip(scores, labels, names)
    ], path)
    return str(path)


@pytest.fixture
def streams(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 6, 30)
    names = [f'S{i:03d}' for i in range(30)]
    paths = [
        dump(tmp_path / f's{k}.pkl', rng.normal(size=(30, 6)), labels, names)
        for k in range(4)
    ]
    return paths, labels, names


def test_official_weights_and_metrics(streams):
    paths, labels, _ = streams
    loaded = [ensemble.load_stream(p) for p in paths]
    fused = ensemble.fuse(loaded)
    expected = sum(w * s['scores']
                   for w, s in zip((0.8, 0.8, 0.2, 0.2), loaded))
    assert np.allclose(fused, expected)
    assert np.allclose(
        ensemble.fuse(loaded[:3]), 0.6 * loaded[0]['scores'] +
        0.6 * loaded[1]['scores'] + 0.4 * loaded[2]['scores'])
    rows = ensemble.per_class_accuracy(fused, labels)
    for cls, count, acc in rows:
        mask = labels == cls
        assert count == mask.sum()
        assert acc == pytest.approx(100 *
                                    (fused[mask].argmax(1) == cls).mean())


def test_cli_reports_top1_top5(streams):
    paths, labels, _ = streams
    out = subprocess.run(
        [sys.executable, 'tools/ensemble.py', *paths, '--per-class'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(PYTHONPATH=ROOT))
    assert out.returncode == 0, out.stderr
    fused = ensemble.fuse([ensemble.load_stream(p) for p in paths])
    top1 = 100 * (fused.argmax(1) == labels).mean()
    assert f'ensemble of 4: top-1 {top1:.2f}' in out.stdout


def test_custom_weights(streams):
    paths, _, _ = streams
    loaded = [ensemble.load_stream(p) for p in paths[:2]]
    assert np.allclose(
        ensemble.fuse(loaded, [2., 0.5]),
        2 * loaded[0]['scores'] + 0.5 * loaded[1]['scores'])
    with pytest.raises(ValueError, match='3 weights for 2 streams'):
        ensemble.fuse(loaded, [1, 1, 1])


def test_mismatched_streams_are_refused(tmp_path, streams):
    paths, labels, names = streams
    rng = np.random.default_rng(1)
    shuffled = dump(tmp_path / 'order.pkl', rng.normal(size=(30, 6)), labels,
                    names[::-1])
    fewer = dump(tmp_path / 'fewer.pkl', rng.normal(size=(29, 6)), labels[:29],
                 names[:29])
    classes = dump(tmp_path / 'classes.pkl', rng.normal(size=(30, 5)), labels,
                   names)
    first = ensemble.load_stream(paths[0])
    for bad, message in ((shuffled, 'order differs'), (fewer, '29 samples'),
                         (classes, '5 classes')):
        with pytest.raises(ValueError, match=message):
            ensemble.check_streams([first, ensemble.load_stream(bad)])
