# GAP + CTR-GCN, NTU RGB+D 120 X-Sub, joint motion stream, the official
# recipe of ctrgcn_ntu120.py.
_base_ = './ctrgcn_ntu120.py'

model = dict(
    data_preprocessor=dict(motion=True))
