# Baseline for ../gap_ctrgcn_8xb8-bone-motion-110e_nwucla-3d.py:
# the same model, data, schedule and seed without GAP's text branch
# (GAPRecognizer without gap_head is exactly RecognizerGCN).
_base_ = '../gap_ctrgcn_8xb8-bone-motion-110e_nwucla-3d.py'

model = dict(gap_head=None)
