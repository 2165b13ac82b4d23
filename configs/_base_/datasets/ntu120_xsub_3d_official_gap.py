# NTU RGB+D 120 X-Sub, 3D joints, with the temporal sampling and augmentation
# of the official CTR-GCN / GAP code: centre on the first frame's SpineMid,
# crop p ~ U(0.5, 1) of the valid frames (>= 64) and resize to 64 frames,
# random rotation of +-0.3 rad per axis; testing crops the central 95%.
# Data: MMAction2's ntu120_3d.pkl (tools/data/skeleton in MMAction2, or
# tools/data/ntu_skeleton_to_pkl.py from raw .skeleton files).
dataset_type = 'ValidatedPoseDataset'
ann_file = 'data/skeleton/ntu120_3d.pkl'
num_classes = 120
dataset_checks = dict(num_joints=25, keypoint_dims=3, num_classes=num_classes)
clip_len = 64

train_pipeline = [
    dict(type='PreNormalize3D', align_spine=False, align_shoulder=False),
    dict(type='ValidCropResize', clip_len=clip_len, p_interval=(0.5, 1.)),
    dict(type='RandomRotation3D', max_angle=0.3),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs', meta_keys=('frame_dir', ))
]
test_pipeline = [
    dict(type='PreNormalize3D', align_spine=False, align_shoulder=False),
    dict(
        type='ValidCropResize',
        clip_len=clip_len,
        p_interval=(0.95, ),
        test_mode=True),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs', meta_keys=('frame_dir', ))
]

train_dataloader = dict(
    batch_size=25,  # x 8 GPUs = 200, the official batch
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        pipeline=train_pipeline,
        split='xsub_train',
        **dataset_checks))
val_dataloader = dict(
    batch_size=25,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        pipeline=test_pipeline,
        split='xsub_val',
        test_mode=True,
        **dataset_checks))
test_dataloader = val_dataloader

val_evaluator = [dict(type='AccMetric')]
test_evaluator = val_evaluator
