# GAP + CTR-GCN, NW-UCLA, joint motion stream, the official recipe.
_base_ = './gap_ctrgcn_8xb8-joint-110e_nwucla-3d.py'

model = dict(data_preprocessor=dict(motion=True))
