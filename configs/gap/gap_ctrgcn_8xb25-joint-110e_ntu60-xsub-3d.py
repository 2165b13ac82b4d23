# GAP + CTR-GCN, NTU RGB+D 60 X-Sub, joint stream, the official
# recipe of gap_ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py.
_base_ = './gap_ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py'

ann_file = 'data/skeleton/ntu60_3d.pkl'
num_classes = 60
train_dataloader = dict(
    dataset=dict(ann_file=ann_file, num_classes=num_classes))
val_dataloader = dict(
    dataset=dict(ann_file=ann_file, num_classes=num_classes))
test_dataloader = val_dataloader

model = dict(
    cls_head=dict(
        num_classes=num_classes,
        init_cfg=dict(type='Normal', layer='Linear', std=(2 / 60)**0.5)))
