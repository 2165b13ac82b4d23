# Charades videos as Action Genome scene graphs (ProDA, Table 1): 157
# actions (multi-label), slot 0 = the person, one slot per object class of
# the video, 26 AG relation types, CLIP ViT-B/16 RoI node features (512-d
# with --grid projected), N = 16 keyframes (random per segment in
# training, segment middles in evaluation). num_slots defaults to the
# largest slot count the converter found (stored in both pkls). Data
# preparation: configs/proda/README.md, "Data preparation".
dataset_type = 'SceneGraphVideoDataset'
data_root = 'data/action_genome/scene_graphs'
feature_dir = 'data/action_genome/node_features_clip_b16'
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
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=f'{data_root}/train.pkl',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=f'{data_root}/test.pkl',
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = val_dataloader
