# Baseline for ../ctrgcn_ntu120_xset_joint.py: the same model, data, schedule and seed
# without GAP's text branch (GAPRecognizer without gap_head is exactly
# RecognizerGCN).
_base_ = '../ctrgcn_ntu120_xset_joint.py'

model = dict(gap_head=None)
