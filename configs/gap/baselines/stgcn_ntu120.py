# Baseline for ../stgcn_ntu120.py: the same ST-GCN without GAP's text branch.
_base_ = '../stgcn_ntu120.py'

model = dict(gap_head=None)
