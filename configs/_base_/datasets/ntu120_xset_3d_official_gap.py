# NTU RGB+D 120 X-Set (cross-setup), 3D joints, with the sampling and
# augmentation of the official CTR-GCN / GAP code, as
# ntu120_xsub_3d_official_gap.py.
_base_ = './ntu120_xsub_3d_official_gap.py'

train_dataloader = dict(dataset=dict(split='xset_train'))
val_dataloader = dict(dataset=dict(split='xset_val'))
test_dataloader = val_dataloader
