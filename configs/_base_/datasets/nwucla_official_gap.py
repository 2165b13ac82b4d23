# NW-UCLA (cross-view: views 1, 2 train, view 3 test), 20 Kinect v1 joints,
# with the sampling and augmentation of the official CTR-GCN / GAP feeder:
# centre on joint 1 of frame 0, random rotation about x and y (+-60 deg) and
# scale (0.5-1.5) for training, min-max normalisation per axis to [-1, 1],
# 52 frames (training: sorted draws from the frames repeated x100; test:
# linspace), training set repeated 5 times per epoch.
# Data: python tools/data/nwucla_to_pkl.py --json-dir all_sqe --out ...
dataset_type = 'ValidatedPoseDataset'
ann_file = 'data/skeleton/nwucla.pkl'
num_classes = 10
dataset_checks = dict(num_joints=20, keypoint_dims=3, num_classes=num_classes)
clip_len = 52

train_pipeline = [
    dict(type='CenterOnFirstFrameJoint', joint=1),
    dict(type='RandomViewTransform', max_angle=60, scale_range=(0.5, 1.5)),
    dict(type='MinMaxNormalize'),
    dict(type='RepeatSampleFrames', clip_len=clip_len),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs', meta_keys=('frame_dir', ))
]
test_pipeline = [
    dict(type='CenterOnFirstFrameJoint', joint=1),
    dict(type='MinMaxNormalize'),
    dict(type='RepeatSampleFrames', clip_len=clip_len, test_mode=True),
    dict(type='FormatGCNInput', num_person=1),
    dict(type='PackActionInputs', meta_keys=('frame_dir', ))
]

train_dataloader = dict(
    batch_size=8,  # x 8 GPUs = 64, the official batch
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='RepeatDataset',
        times=5,
        dataset=dict(
            type=dataset_type,
            ann_file=ann_file,
            pipeline=train_pipeline,
            split='train',
            **dataset_checks)))
val_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        pipeline=test_pipeline,
        split='val',
        test_mode=True,
        **dataset_checks))
test_dataloader = val_dataloader

val_evaluator = [dict(type='AccMetric')]
test_evaluator = val_evaluator
