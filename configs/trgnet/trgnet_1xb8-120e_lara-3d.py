# TRG-Net on LARa (OMoCap, 8 classes, 19 joints): official recipe (batch 8,
# Adam 1e-3, 120 epochs) with the sequences downsampled x4 in training and
# testing, SAEP rotating about the vertical (z) axis. Data: the 19-joint
# arrays of the prepared release, tools/data/prepared_to_segmentation.py
# --dataset lara (configs/trgnet/README.md); stored as (C, T, V, M) with
# C * M = 6, so every person is kept and the input has 12 channels.
_base_ = './trgnet_1xb8-300e_pku-mmd-xsub-3d.py'

model = dict(
    backbone=dict(graph_cfg=dict(layout='lara')),
    joint_texts=dict(text_bank='joints_lara19'),
    action_texts=dict(text_bank='lara'))

ann_file = 'data/skeleton_segmentation/lara.pkl'
dataset_checks = dict(num_classes=8, num_joints=19, keypoint_dims=None)
features = dict(type='SegmentationFeatures', mode='disp_rel')
train_pipeline = [
    dict(type='TemporalDownsample', factor=4), features,
    dict(
        type='SAEP',
        occlusion_prob=0.35,
        rotation_prob=0.35,
        occlusion_ratio=0.5,
        rotation_axis='z'),
    dict(type='PackSegmentationInputs')
]
test_pipeline = [
    dict(type='TemporalDownsample', factor=4), features,
    dict(type='PackSegmentationInputs')
]
train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        split='train',
        pipeline=train_pipeline,
        **dataset_checks))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        split='test',
        pipeline=test_pipeline,
        **dataset_checks))
test_dataloader = val_dataloader

train_cfg = dict(max_epochs=120)
