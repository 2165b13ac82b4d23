# GAP + CTR-GCN, NW-UCLA, joint motion stream, the official recipe.
_base_ = './ctrgcn_nwucla.py'

model = dict(data_preprocessor=dict(motion=True))
