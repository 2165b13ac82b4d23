# Ablation (paper Table IV): no ARIS supervision (absolute and relative).
_base_ = './trgnet_1xb8-300e_pku-mmd-xsub-3d.py'

model = dict(aris_loss=None)
