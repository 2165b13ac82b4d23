# Baseline for ../gap_ctrgcn_8xb25-joint-110e_ntu60-xview-3d.py:
# the same model, data, schedule and seed without GAP's text branch
# (GAPRecognizer without gap_head is exactly RecognizerGCN).
_base_ = '../gap_ctrgcn_8xb25-joint-110e_ntu60-xview-3d.py'

model = dict(gap_head=None)
