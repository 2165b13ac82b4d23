# Ablation (paper Table IV): no ARIS supervision (absolute and relative).
_base_ = './trgnet_pku-mmd-xsub.py'

model = dict(aris_loss=None)
