# GAP + CTR-GCN, NTU RGB+D 120 X-Set, joint motion stream, the official
# recipe of ctrgcn_ntu120.py.
_base_ = './ctrgcn_ntu120.py'

train_dataloader = dict(
    dataset=dict(split='xset_train'))
val_dataloader = dict(
    dataset=dict(split='xset_val'))
test_dataloader = val_dataloader

model = dict(
    data_preprocessor=dict(motion=True))
