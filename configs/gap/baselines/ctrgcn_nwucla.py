# Baseline for ../ctrgcn_nwucla.py: the same model, data, schedule and seed without
# GAP's text branch (GAPRecognizer without gap_head is exactly RecognizerGCN).
_base_ = '../ctrgcn_nwucla.py'

model = dict(gap_head=None)
