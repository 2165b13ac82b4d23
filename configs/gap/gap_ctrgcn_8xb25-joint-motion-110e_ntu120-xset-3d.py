# GAP + CTR-GCN, NTU RGB+D 120 X-Set, joint motion stream, the official
# recipe of gap_ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py.
_base_ = './gap_ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py'

train_dataloader = dict(
    dataset=dict(split='xset_train'))
val_dataloader = dict(
    dataset=dict(split='xset_val'))
test_dataloader = val_dataloader

model = dict(
    data_preprocessor=dict(motion=True))
