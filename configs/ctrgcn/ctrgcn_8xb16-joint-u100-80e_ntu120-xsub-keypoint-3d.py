# CTR-GCN with MMAction2's ST-GCN recipe (8 GPUs x 16, 100 frames, 80 epochs).
_base_ = 'mmaction::skeleton/stgcn/stgcn_8xb16-joint-u100-80e_ntu120-xsub-keypoint-3d.py'  # noqa: E501
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,
        type='CTRGCN',
        graph_cfg=dict(layout='nturgb+d', mode='spatial')))

# Check every sample when loading (joint count, NaN, labels, empty clips).
dataset_checks = dict(
    type='ValidatedPoseDataset', num_joints=25, keypoint_dims=3, num_classes=120)
train_dataloader = dict(dataset=dict(dataset=dataset_checks))
val_dataloader = dict(dataset=dataset_checks)
test_dataloader = dict(dataset=dataset_checks)
