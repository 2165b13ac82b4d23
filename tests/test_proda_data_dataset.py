"""SceneGraphVideoDataset, SampleSceneGraphFrames and
LoadSceneGraphNodeFeatures: the output contract with the ProDA models."""
import copy
import os.path as osp

import mmengine
import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate

import mmaction_ext  # noqa: F401
from mmaction.datasets.transforms import PackActionInputs
from mmaction_ext.datasets import SceneGraphVideoDataset
from mmaction_ext.datasets.scene_graph_video_dataset import (
    SCENE_GRAPH_INPUT_KEYS, SCENE_GRAPH_META_KEYS)
from mmaction_ext.datasets.synthetic import write_synthetic_scene_graphs
from mmaction_ext.datasets.transforms.sample_scene_graph_frames import \
    keyframe_positions
from mmaction_ext.utils import BadInputError
from mmaction_ext.utils.errors import UnknownNameError


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('synthetic'))
    write_synthetic_scene_graphs(out, num_train=6, num_test=3, feat_dim=8)
    return out


def pipeline(root, test_mode=False, **sample):
    return [
        dict(type='SampleSceneGraphFrames', test_mode=test_mode, **sample),
        dict(
            type='LoadSceneGraphNodeFeatures',
            feature_dir=osp.join(root, 'features')),
        PackActionInputs(
            collect_keys=SCENE_GRAPH_INPUT_KEYS,
            meta_keys=SCENE_GRAPH_META_KEYS)
    ]


def dataset(root, split='train', test_mode=False, **kwargs):
    return SceneGraphVideoDataset(
        osp.join(root, f'{split}.pkl'),
        pipeline=pipeline(root, test_mode),
        test_mode=test_mode,
        **kwargs)


def test_packed_sample_follows_the_contract(synthetic):
    data = dataset(synthetic)
    raw = mmengine.load(osp.join(synthetic, 'train.pkl'))
    num_slots = raw['metainfo']['num_slots']
    packed = data[0]
    inputs, sample = packed['inputs'], packed['data_samples']
    assert set(inputs) == {'node_feats', 'node_mask', 'relations'}
    assert inputs['node_feats'].shape == (16, num_slots, 8)
    assert inputs['node_feats'].dtype == torch.float32
    assert inputs['node_mask'].shape == (16, num_slots)
    assert inputs['node_mask'].dtype == torch.bool
    assert inputs['relations'].shape == (16, num_slots, num_slots, 7)
    assert inputs['relations'].dtype == torch.float32
    assert not inputs['node_feats'][~inputs['node_mask']].any()
    video = raw['data_list'][0]
    expected = torch.zeros(12)
    expected[video['label']] = 1
    assert torch.equal(sample.gt_label, expected)
    meta = sample.metainfo
    assert meta['video_id'] == video['video_id']
    assert meta['num_frames'] == video['num_frames']
    assert meta['scene'] == video['scene']
    assert meta['frame_inds'].shape == (16, )
    assert set(meta['frame_inds']) <= set(video['frame_inds'].tolist())
    fps = video['fps']
    assert meta['action_segments'] == [
        (label, int(np.floor(s * fps)), int(np.ceil(e * fps)))
        for label, s, e in video['action_intervals']
    ]


def test_relations_and_mask_equal_a_plain_loop(synthetic):
    results = dataset(synthetic).get_data_info(1)
    video = copy.deepcopy(results)
    from mmaction_ext.datasets.transforms import SampleSceneGraphFrames
    out = SampleSceneGraphFrames(num_frames=5, test_mode=True)(results)
    pos = out['keyframe_inds']
    num_slots = video['num_slots']
    expected = np.zeros((5, num_slots, num_slots, 7), np.float32)
    for i, p in enumerate(pos):
        for k, j, s, r in video['relations']:
            if k == p:
                expected[i, j, s, r] = 1
    np.testing.assert_array_equal(out['relations'], expected)
    slots = len(video['slot_classes'])
    np.testing.assert_array_equal(out['node_mask'][:, :slots],
                                  video['box_mask'][pos])
    assert not out['node_mask'][:, slots:].any()
    np.testing.assert_array_equal(out['frame_inds'], video['frame_inds'][pos])


def test_uniform_sampling_takes_segment_middles():
    np.testing.assert_array_equal(
        keyframe_positions(32, 4, random=False), [4, 12, 20, 28])
    np.testing.assert_array_equal(
        keyframe_positions(10, 4, random=False), [1, 3, 6, 8])


def test_random_sampling_takes_one_per_segment():
    rng = np.random.default_rng(0)
    draws = np.stack(
        [keyframe_positions(40, 8, random=True, rng=rng) for _ in range(200)])
    segment = np.arange(8) * 5
    assert ((draws >= segment) & (draws < segment + 5)).all()
    # every keyframe of a segment gets drawn
    assert all(len(set(draws[:, i])) == 5 for i in range(8))


@pytest.mark.parametrize('random', [False, True])
def test_few_keyframes_repeat_in_order(random):
    pos = keyframe_positions(5, 16, random=random)
    assert sorted(set(pos.tolist())) == [0, 1, 2, 3, 4]
    assert (np.diff(pos) >= 0).all()


def test_pad_mode_masks_the_padded_frames(synthetic):
    data = SceneGraphVideoDataset(
        osp.join(synthetic, 'train.pkl'),
        pipeline=[
            dict(
                type='SampleSceneGraphFrames', num_frames=40,
                short_mode='pad'),
            dict(
                type='LoadSceneGraphNodeFeatures',
                feature_dir=osp.join(synthetic, 'features'))
        ])
    out = data[0]
    num_keyframes = len(data.get_data_info(0)['frame_inds'])
    assert (out['keyframe_inds'][num_keyframes:] == -1).all()
    assert (out['frame_inds'][num_keyframes:] == -1).all()
    assert not out['node_mask'][num_keyframes:].any()
    assert not out['node_feats'][num_keyframes:].any()
    assert not out['relations'][num_keyframes:].any()
    assert out['node_mask'][:num_keyframes].any()


def test_evaluation_is_deterministic_training_is_not(synthetic):
    test = dataset(synthetic, 'test', test_mode=True)
    first = test[0]['data_samples'].metainfo['frame_inds']
    np.testing.assert_array_equal(
        first, test[0]['data_samples'].metainfo['frame_inds'])
    train = SceneGraphVideoDataset(
        osp.join(synthetic, 'train.pkl'),
        pipeline=[dict(type='SampleSceneGraphFrames', num_frames=4)])
    draws = {tuple(train[3]['frame_inds']) for _ in range(20)}
    assert len(draws) > 1


def test_batches_stack(synthetic):
    data = dataset(synthetic)
    batch = default_collate([data[i] for i in range(3)])
    assert batch['inputs']['node_feats'].shape[:2] == (3, 16)
    assert batch['inputs']['relations'].shape[0] == 3


def test_features_from_memory_and_random(synthetic, tmp_path):
    raw = mmengine.load(osp.join(synthetic, 'train.pkl'))
    feats = mmengine.load(
        osp.join(synthetic, 'features', 'synth_train_0000.pkl'))['node_feats']
    raw['data_list'] = raw['data_list'][:1]
    raw['data_list'][0]['node_feats'] = feats
    path = str(tmp_path / 'memory.pkl')
    mmengine.dump(raw, path)
    for source, kwargs in (('annotation', {}), ('random', dict(feat_dim=6))):
        data = SceneGraphVideoDataset(
            path,
            pipeline=[
                dict(type='SampleSceneGraphFrames', test_mode=True),
                dict(
                    type='LoadSceneGraphNodeFeatures', source=source, **kwargs)
            ])
        a, b = data[0], data[0]
        np.testing.assert_array_equal(a['node_feats'], b['node_feats'])
        assert not a['node_feats'][~a['node_mask']].any()
        if source == 'annotation':
            np.testing.assert_array_equal(a['node_feats'][:, :feats.shape[1]],
                                          feats[a['keyframe_inds']])
        else:
            assert a['node_feats'].shape[-1] == 6
            assert a['node_feats'][a['node_mask']].std() > 0.1


def test_missing_and_stale_feature_files_are_named(synthetic, tmp_path):
    features = tmp_path / 'features'
    features.mkdir()
    data = SceneGraphVideoDataset(
        osp.join(synthetic, 'train.pkl'),
        pipeline=[
            dict(type='SampleSceneGraphFrames'),
            dict(type='LoadSceneGraphNodeFeatures', feature_dir=str(features))
        ])
    with pytest.raises(FileNotFoundError, match="'synth_train_0000'"):
        data[0]
    stale = mmengine.load(
        osp.join(synthetic, 'features', 'synth_train_0001.pkl'))
    mmengine.dump(stale, str(features / 'synth_train_0000.pkl'))
    with pytest.raises(
            BadInputError,
            match='synth_train_0000.pkl: not the '
            "node features of video 'synth_train_0000'"):
        data[0]


def write_modified(synthetic, tmp_path, change):
    raw = mmengine.load(osp.join(synthetic, 'train.pkl'))
    change(raw['data_list'][2])
    path = str(tmp_path / 'bad.pkl')
    mmengine.dump(raw, path)
    return path


@pytest.mark.parametrize('change, message', [
    (lambda v: v.update(label=[3, 12]), 'outside \\[0, 12\\)'),
    (lambda v: v.update(action_intervals=[(1, 3., 2.)]), 'start > end'),
    (lambda v: v['box_mask'].fill(False), 'no box in any keyframe'),
    (lambda v: v.update(frame_inds=v['frame_inds'][::-1].copy()),
     'frame_inds must increase'),
    (lambda v: v.update(relations=np.array([[0, 0, 99, 1]])),
     'relations row 0'),
    (lambda v: v['slot_classes'].__setitem__(-1, v['slot_classes'][1]),
     'distinct object classes'),
    (lambda v: v.update(
        slot_classes=v['slot_classes'][:0],
        boxes=v['boxes'][:, :0],
        box_mask=v['box_mask'][:, :0]), 'has no slots'),
])
def test_bad_videos_are_named(synthetic, tmp_path, change, message):
    path = write_modified(synthetic, tmp_path, change)
    with pytest.raises(BadInputError, match=message) as err:
        SceneGraphVideoDataset(path)
    assert "video 'synth_train_0002'" in str(err.value)


def test_too_many_slots_is_an_error(synthetic):
    with pytest.raises(BadInputError, match='more than num_slots=2'):
        dataset(synthetic, num_slots=2)


def test_scene_filter_and_domain_shift_splits(synthetic):
    raw = mmengine.load(osp.join(synthetic, 'train.pkl'))['data_list']
    kitchen = [v['video_id'] for v in raw if v['scene'] == 'Kitchen']
    if kitchen:
        data = dataset(synthetic, scenes=['kitchen'])
        assert [data.get_data_info(i)['video_id']
                for i in range(len(data))] == kitchen
    # scenario 1 trains on Bedroom, tests on Kitchen, Living room, Bathroom
    train = dataset(synthetic, scenes='scenario1_train')
    assert {train.get_data_info(i)['scene']
            for i in range(len(train))} == {'Bedroom'}
    test = dataset(synthetic, scenes='scenario1_test')
    assert len(train) + len(test) == len(raw)
    with pytest.raises(UnknownNameError, match='scenario1_train'):
        dataset(synthetic, scenes='scenario9_train')


def test_config_pieces_build_dataloaders(synthetic, repo_root):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    init_default_scope('mmaction')
    base = osp.join(repo_root, 'configs', 'proda', '_base_', 'datasets')
    cfg = Config.fromfile(osp.join(base, 'synthetic_scene_graphs.py'))
    for name in ('train_dataloader', 'test_dataloader'):
        loader_cfg = copy.deepcopy(cfg[name])
        loader_cfg.batch_size = 2
        loader_cfg.dataset.ann_file = loader_cfg.dataset.ann_file.replace(
            cfg.data_root, synthetic)
        for step in loader_cfg.dataset.pipeline:
            if step.type == 'LoadSceneGraphNodeFeatures':
                step.feature_dir = osp.join(synthetic, 'features')
        batch = next(iter(Runner.build_dataloader(loader_cfg)))
        assert batch['inputs']['node_feats'][0].shape[:1] == (16, )
        assert len(batch['data_samples']) == 2
    charades = Config.fromfile(
        osp.join(base, 'charades_ag_scene_graphs_domain_shift.py'))
    assert charades.train_dataloader.dataset.scenes == 'scenario1_train'
    assert charades.test_dataloader.dataset.scenes == 'scenario1_test'


def test_domain_shift_split_refuses_unknown_scenes(synthetic, tmp_path):
    path = write_modified(synthetic, tmp_path,
                          lambda v: v.update(scene='Garden'))
    with pytest.raises(BadInputError, match="synth_train_0002 \\('Garden'\\)"):
        SceneGraphVideoDataset(path, scenes='scenario2_test')
    assert len(SceneGraphVideoDataset(path, scenes=['garden'])) == 1
