# Ablation: no ARIS supervision (absolute and relative terms off).
_base_ = './trgnet_1xb4-12e_synthetic-ntu25-3d.py'

model = dict(aris_loss=None)
