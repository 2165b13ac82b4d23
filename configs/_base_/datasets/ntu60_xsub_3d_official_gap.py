# NTU RGB+D 60 X-Sub, 3D joints, with the sampling and augmentation of the
# official CTR-GCN / GAP code, as ntu120_xsub_3d_official_gap.py.
# Data: MMAction2's ntu60_3d.pkl (tools/data/skeleton in MMAction2, or
# tools/data/ntu_skeleton_to_pkl.py --benchmark ntu60).
_base_ = './ntu120_xsub_3d_official_gap.py'

ann_file = 'data/skeleton/ntu60_3d.pkl'
num_classes = 60
dataset_checks = dict(num_joints=25, keypoint_dims=3, num_classes=num_classes)

train_dataloader = dict(dataset=dict(ann_file=ann_file, **dataset_checks))
val_dataloader = dict(dataset=dict(ann_file=ann_file, **dataset_checks))
test_dataloader = val_dataloader
