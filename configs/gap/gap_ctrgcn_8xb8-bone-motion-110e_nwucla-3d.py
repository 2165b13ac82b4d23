# GAP + CTR-GCN, NW-UCLA, bone motion stream, the official recipe.
_base_ = './gap_ctrgcn_8xb8-joint-110e_nwucla-3d.py'

model = dict(
    data_preprocessor=dict(k_hop=1, motion=True),
    gap_head=dict(partition='ucla_bone_4'))
