# Baseline for ../gap_ctrgcn_8xb25-bone-110e_ntu60-xsub-3d.py:
# the same model, data, schedule and seed without GAP's text branch
# (GAPRecognizer without gap_head is exactly RecognizerGCN).
_base_ = '../gap_ctrgcn_8xb25-bone-110e_ntu60-xsub-3d.py'

model = dict(gap_head=None)
