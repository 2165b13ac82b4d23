# TRG-Net on PKU-MMD (phase 1), cross-subject: 52 classes (NONE + 51), two
# persons of 25 joints, official recipe (batch 8, Adam 1e-3, 300 epochs).
# Data: tools/data/pku_mmd_to_segmentation.py (configs/trgnet/README.md).
# Text priors: joints_ntu25 + pku_mmd (NONE is the bank's class 0) encoded
# by BERT-base pooled, as the paper (see ../_base_/models/trgnet.py).
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/trgnet.py',
    '../_base_/datasets/skeleton_segmentation.py',
    '../_base_/schedules/adam_300e_segmentation.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

default_hooks = dict(
    checkpoint=dict(
        interval=10, max_keep_ckpts=1, save_best='F1@50', rule='greater'),
    logger=dict(interval=50))

model = dict(
    joint_texts=dict(text_bank='joints_ntu25'),
    action_texts=dict(text_bank='pku_mmd'))

ann_file = 'data/skeleton_segmentation/pku_mmd.pkl'
dataset_checks = dict(num_classes=52, num_joints=25, keypoint_dims=3)
train_dataloader = dict(
    dataset=dict(ann_file=ann_file, split='xsub_train', **dataset_checks))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file, split='xsub_test', **dataset_checks))
test_dataloader = val_dataloader
