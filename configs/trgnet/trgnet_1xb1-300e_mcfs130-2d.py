# TRG-Net on MCFS-130 (figure skating, 130 classes, OpenPose BODY_25 2D):
# official recipe (batch 1, Adam 5e-4, 300 epochs), pixel coordinates
# normalised by 1280 x 720 around the mid-hip (2 channels), SAEP occlusion
# only (the official code never rotates MCFS).
# Data: tools/data/prepared_to_segmentation.py --dataset mcfs130 (split 1
# of the prepared release; configs/trgnet/README.md).
_base_ = './trgnet_1xb8-300e_pku-mmd-xsub-3d.py'

model = dict(
    backbone=dict(in_channels=2, graph_cfg=dict(layout='openpose_body25')),
    joint_texts=dict(text_bank='joints_openpose_body25'),
    action_texts=dict(text_bank='mcfs130'))

ann_file = 'data/skeleton_segmentation/mcfs130.pkl'
dataset_checks = dict(num_classes=130, num_joints=25, keypoint_dims=None)
features = dict(type='SegmentationFeatures', mode='mcfs', num_person=1)
train_pipeline = [
    features,
    dict(
        type='SAEP',
        occlusion_prob=0.35,
        rotation_prob=0.,
        occlusion_ratio=0.5,
        rotation_axis=None),
    dict(type='PackSegmentationInputs')
]
test_pipeline = [features, dict(type='PackSegmentationInputs')]
train_dataloader = dict(
    batch_size=1,
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

optim_wrapper = dict(optimizer=dict(lr=5e-4))
auto_scale_lr = dict(base_batch_size=1)
