# GAP + ST-GCN (MMAction2's STGCN backbone), NTU RGB+D 120 X-Sub, joint
# stream, otherwise the official GAP recipe of ctrgcn_ntu120.py.
_base_ = './ctrgcn_ntu120.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='STGCN',
        graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial')))
