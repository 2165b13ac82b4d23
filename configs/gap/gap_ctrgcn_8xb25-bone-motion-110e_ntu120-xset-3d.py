# GAP + CTR-GCN, NTU RGB+D 120 X-Set, bone motion stream, the official recipe.
_base_ = './gap_ctrgcn_8xb25-joint-110e_ntu120-xset-3d.py'

model = dict(
    data_preprocessor=dict(k_hop=1, motion=True),
    gap_head=dict(partition='ntu_bone_4'))
