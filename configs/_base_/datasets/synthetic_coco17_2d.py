# Embedded synthetic skeletons, COCO 17-keypoint 2D layout, 12 classes.
# Written by `python tools/data/make_synthetic_skeletons.py`.
_base_ = './synthetic_ntu25_3d.py'

ann_file = 'data/synthetic/coco17_2d.pkl'
dataset_checks = dict(num_joints=17, keypoint_dims=2, num_classes=12)
clip_len = 32

train_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='coco', feats=['j']),
    dict(type='UniformSampleFrames', clip_len=clip_len),
    dict(type='PoseDecode'),
    dict(type='FormatGCNInput', num_person=2),
    dict(type='PackActionInputs', meta_keys=('frame_dir', ))
]
val_pipeline = [
    dict(type='PreNormalize2D'),
    dict(type='GenSkeFeat', dataset='coco', feats=['j']),
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
    dataset=dict(
        ann_file=ann_file, pipeline=train_pipeline, **dataset_checks))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file, pipeline=val_pipeline, **dataset_checks))
test_dataloader = val_dataloader
