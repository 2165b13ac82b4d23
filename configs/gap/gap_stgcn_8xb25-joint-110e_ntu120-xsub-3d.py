# GAP + ST-GCN (MMAction2's STGCN backbone), NTU RGB+D 120 X-Sub, joint
# stream, otherwise the official GAP recipe of
# gap_ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py.
_base_ = './gap_ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='STGCN',
        graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial')))
