# GAP + CTR-GCN, NW-UCLA, bone stream, the official recipe.
_base_ = './ctrgcn_nwucla.py'

model = dict(
    data_preprocessor=dict(k_hop=1),
    gap_head=dict(partition='ucla_bone_4'))
