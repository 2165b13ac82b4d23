# GAP + CTR-GCN, NW-UCLA, bone motion stream, the official recipe.
_base_ = './ctrgcn_nwucla.py'

model = dict(
    data_preprocessor=dict(k_hop=1, motion=True),
    gap_head=dict(partition='ucla_bone_4'))
