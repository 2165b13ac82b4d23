"""The synthetic scene-graph videos: reproducible, valid, informative."""
import os
import os.path as osp

import mmengine
import numpy as np
import pytest

import mmaction_ext  # noqa: F401
from mmaction_ext.datasets import SceneGraphVideoDataset
from mmaction_ext.datasets.synthetic import (SYNTHETIC_ACTIONS,
                                             SYNTHETIC_OBJECTS,
                                             SYNTHETIC_RELATIONS,
                                             write_synthetic_scene_graphs)


def all_bytes(folder):
    files = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = osp.join(root, name)
            with open(path, 'rb') as f:
                files[osp.relpath(path, folder)] = f.read()
    return files


@pytest.fixture(scope='module')
def written(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('synthetic'))
    write_synthetic_scene_graphs(out, num_train=48, num_test=24, seed=3)
    return out


def test_same_seed_same_bytes_other_seed_other_data(written, tmp_path):
    write_synthetic_scene_graphs(
        str(tmp_path / 'a'), num_train=48, num_test=24, seed=3)
    assert all_bytes(str(tmp_path / 'a')) == all_bytes(written)
    write_synthetic_scene_graphs(
        str(tmp_path / 'b'), num_train=48, num_test=24, seed=4)
    a = mmengine.load(str(tmp_path / 'a' / 'train.pkl'))['data_list']
    b = mmengine.load(str(tmp_path / 'b' / 'train.pkl'))['data_list']
    assert [v['label'] for v in a] != [v['label'] for v in b]


def test_files_load_in_the_dataset(written):
    for split in ('train', 'test'):
        data = SceneGraphVideoDataset(
            osp.join(written, f'{split}.pkl'),
            pipeline=[
                dict(type='SampleSceneGraphFrames', test_mode=True),
                dict(
                    type='LoadSceneGraphNodeFeatures',
                    feature_dir=osp.join(written, 'features'))
            ])
        assert data.metainfo['classes'] == tuple(
            name for name, _, _ in SYNTHETIC_ACTIONS)
        assert data[0]['node_feats'].shape[-1] == 32


def test_videos_hold_several_actions_with_intervals(written):
    videos = mmengine.load(osp.join(written, 'train.pkl'))['data_list']
    for video in videos:
        assert 2 <= len(video['label']) <= 4
        duration = video['num_frames'] / video['fps']
        for label, start, end in video['action_intervals']:
            assert 0 <= start < end <= duration + 1e-6
            assert label in video['label']
    counts = np.bincount([label for v in videos for label in v['label']],
                         minlength=len(SYNTHETIC_ACTIONS))
    assert (counts > 0).all()


def test_relations_follow_the_action_patterns(written):
    """Inside an action's first and last phase, with its object visible,
    the person has exactly that phase's relations to it."""
    videos = mmengine.load(osp.join(written, 'train.pkl'))['data_list']
    checked = 0
    for video in videos:
        times = video['frame_inds'] / video['fps']
        for label, start, end in video['action_intervals']:
            _, obj, phases = SYNTHETIC_ACTIONS[label]
            slot = list(video['slot_classes']).index(
                SYNTHETIC_OBJECTS.index(obj))
            length = (end - start) / len(phases)
            for phase, lo in ((phases[0], start), (phases[-1], end - length)):
                inside = (times >= lo + 0.01) & (times <= lo + length - 0.01)
                for k in np.nonzero(inside & video['box_mask'][:, slot])[0]:
                    rel = video['relations']
                    found = rel[(rel[:, 0] == k) & (rel[:, 2] == slot), 3]
                    assert sorted(SYNTHETIC_RELATIONS[r] for r in found) == \
                        sorted(phase)
                    checked += 1
    assert checked > 50


def average_precision(scores, labels):
    order = np.argsort(-scores)
    hits = labels[order]
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return (precision * hits).sum() / max(hits.sum(), 1)


def video_vectors(written, split):
    """Per video: mean feature of each object class slot, concatenated."""
    videos = mmengine.load(osp.join(written, f'{split}.pkl'))['data_list']
    x = np.zeros((len(videos), len(SYNTHETIC_OBJECTS), 32))
    y = np.zeros((len(videos), len(SYNTHETIC_ACTIONS)))
    for i, video in enumerate(videos):
        feats = mmengine.load(
            osp.join(written, 'features',
                     f'{video["video_id"]}.pkl'))['node_feats']
        mask = video['box_mask'][..., None]
        mean = (feats * mask).sum(0) / np.maximum(mask.sum(0), 1)
        x[i, video['slot_classes']] = mean
        y[i, video['label']] = 1
    return x.reshape(len(videos), -1), y


def test_node_features_identify_the_actions(written):
    """A ridge regression on pooled features beats chance by far."""
    x, y = video_vectors(written, 'train')
    w = np.linalg.solve(x.T @ x + 10 * np.eye(x.shape[1]), x.T @ y)
    x_test, y_test = video_vectors(written, 'test')
    scores = x_test @ w
    aps = [
        average_precision(scores[:, c], y_test[:, c])
        for c in range(y.shape[1]) if y_test[:, c].any()
    ]
    chance = y_test.mean()
    assert np.mean(aps) > chance + 0.3


def test_tool_writes_the_files(tmp_path, monkeypatch, capsys):
    import sys
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    monkeypatch.syspath_prepend(osp.join(root, 'tools', 'data'))
    import make_synthetic_scene_graphs as tool
    monkeypatch.setattr(sys, 'argv', [
        'x', '--out-dir',
        str(tmp_path), '--num-train', '4', '--num-test', '2'
    ])
    assert tool.main() == 0
    assert '4 videos, 12 classes' in capsys.readouterr().out
    assert len(os.listdir(tmp_path / 'features')) == 6
