# TRG-Net on TCG-15 (traffic control gestures, 15 sub-classes, one person of
# 17 mocap joints, the official 20 Hz rate): displacement + coordinates
# relative to the pelvis (joint 2), 6 channels, SAEP rotating about the
# vertical (z) axis, as the official loader. Cross-subject fold 1 (test
# subject 5); the other folds and the cross-view protocol are splits of the
# same file (xsub_fold{1..5}_*, xview_fold{1..4}_*). The official configs
# give no TCG recipe, so PKU-MMD's is used. Joint graph and joint names:
# see mmaction_ext/text/banks/joints_tcg17.yaml (the names are inferred).
# Data: tools/data/tcg_to_segmentation.py (configs/trgnet/README.md).
_base_ = './trgnet_1xb8-300e_pku-mmd-xsub-3d.py'

model = dict(
    backbone=dict(in_channels=6, graph_cfg=dict(layout='tcg17')),
    joint_texts=dict(text_bank='joints_tcg17'),
    action_texts=dict(text_bank='tcg15'))

ann_file = 'data/skeleton_segmentation/tcg15.pkl'
dataset_checks = dict(num_classes=15, num_joints=17, keypoint_dims=3)
features = dict(
    type='SegmentationFeatures', mode='disp_rel', root_joint=2, num_person=1)
train_pipeline = [
    features,
    dict(
        type='SAEP',
        occlusion_prob=0.35,
        rotation_prob=0.35,
        occlusion_ratio=0.5,
        rotation_axis='z'),
    dict(type='PackSegmentationInputs')
]
test_pipeline = [features, dict(type='PackSegmentationInputs')]
train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        split='xsub_fold1_train',
        pipeline=train_pipeline,
        **dataset_checks))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file,
        split='xsub_fold1_test',
        pipeline=test_pipeline,
        **dataset_checks))
test_dataloader = val_dataloader
