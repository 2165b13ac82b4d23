# NTU RGB+D 60 X-View (cross-view: cameras 2 and 3 train, camera 1 test), 3D
# joints, with the sampling and augmentation of the official CTR-GCN / GAP
# code, as ntu60_xsub_3d_official_gap.py.
_base_ = './ntu60_xsub_3d_official_gap.py'

train_dataloader = dict(dataset=dict(split='xview_train'))
val_dataloader = dict(dataset=dict(split='xview_val'))
test_dataloader = val_dataloader
