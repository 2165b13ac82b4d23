# Baseline for ../ctrgcn_nwucla_bone_motion.py: the same model, data, schedule and seed without
# GAP's text branch (GAPRecognizer without gap_head is exactly RecognizerGCN).
_base_ = '../ctrgcn_nwucla_bone_motion.py'

model = dict(gap_head=None)
