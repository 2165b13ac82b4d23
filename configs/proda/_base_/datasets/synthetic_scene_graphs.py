# Embedded synthetic scene-graph videos (ProDA's default data): 12 actions,
# each an object class plus a temporal pattern of person -> object
# relations, 2-4 actions per video, 7 slots, 32-d node features. Written by
# `python tools/data/make_synthetic_scene_graphs.py`. Inputs follow the
# SceneGraphVideoDataset contract: node_feats (16, 7, 32), node_mask
# (16, 7), relations (16, 7, 7, 7); gt_label multi-hot (12, ).
dataset_type = 'SceneGraphVideoDataset'
data_root = 'data/synthetic_scene_graphs'
feature_dir = f'{data_root}/features'
num_frames = 16
input_keys = ('node_feats', 'node_mask', 'relations')
meta_keys = ('video_id', 'frame_inds', 'num_frames', 'action_segments',
             'scene')

train_pipeline = [
    dict(type='SampleSceneGraphFrames', num_frames=num_frames),
    dict(type='LoadSceneGraphNodeFeatures', feature_dir=feature_dir),
    dict(
        type='PackActionInputs', collect_keys=input_keys, meta_keys=meta_keys)
]
test_pipeline = [
    dict(type='SampleSceneGraphFrames', num_frames=num_frames, test_mode=True),
    dict(type='LoadSceneGraphNodeFeatures', feature_dir=feature_dir),
    dict(
        type='PackActionInputs', collect_keys=input_keys, meta_keys=meta_keys)
]

train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=f'{data_root}/train.pkl',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=f'{data_root}/test.pkl',
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = val_dataloader
