# GAP + CTR-GCN, NTU RGB+D 60 X-View, bone stream, the official recipe.
_base_ = './gap_ctrgcn_8xb25-joint-110e_ntu60-xview-3d.py'

model = dict(
    data_preprocessor=dict(k_hop=1), gap_head=dict(partition='ntu_bone_4'))
