# Baseline for ../gap_stgcn_8xb25-joint-110e_ntu120-xsub-3d.py:
# the same ST-GCN, data, schedule and seed without GAP's text branch.
_base_ = '../gap_stgcn_8xb25-joint-110e_ntu120-xsub-3d.py'

model = dict(gap_head=None)
