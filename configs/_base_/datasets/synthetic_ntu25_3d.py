# Embedded synthetic skeletons, NTU RGB+D 25-joint 3D layout, 12 classes.
# Written by `python tools/data/make_synthetic_skeletons.py`.
dataset_type = 'ValidatedPoseDataset'
ann_file = 'data/synthetic/ntu25_3d.pkl'
dataset_checks = dict(num_joints=25, keypoint_dims=3, num_classes=12)
clip_len = 32

train_pipeline = [
    dict(type='PreNormalize3D'),
    dict(type='GenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs', meta_keys=('frame_dir', ))
]
val_pipeline = [
    dict(type='PreNormalize3D'),
    dict(type='GenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(
        type='UniformSampleFrames',
        clip_len=clip_len,
        num_clips=1,
        test_mode=True),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs', meta_keys=('frame_dir', ))
]
test_pipeline = val_pipeline

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        pipeline=train_pipeline,
        split='xsub_train',
        **dataset_checks))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        pipeline=val_pipeline,
        split='xsub_val',
        test_mode=True,
        **dataset_checks))
test_dataloader = val_dataloader

val_evaluator = [dict(type='AccMetric')]
test_evaluator = val_evaluator
