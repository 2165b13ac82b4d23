# Baseline for ../ctrgcn_ntu60_xsub_bone.py: the same model, data, schedule and seed
# without GAP's text branch (GAPRecognizer without gap_head is exactly
# RecognizerGCN).
_base_ = '../ctrgcn_ntu60_xsub_bone.py'

model = dict(gap_head=None)
