# GAP + CTR-GCN, NTU RGB+D 120 X-Sub, bone stream, the official
# recipe of ctrgcn_ntu120.py.
_base_ = './ctrgcn_ntu120.py'

model = dict(
    data_preprocessor=dict(k_hop=1),
    gap_head=dict(partition='ntu_bone_4'))
