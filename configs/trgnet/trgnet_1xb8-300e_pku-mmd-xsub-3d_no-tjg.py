# Ablation (paper Table IV): no text joint graph; DSFM's graphs are learned
# from data only.
_base_ = './trgnet_1xb8-300e_pku-mmd-xsub-3d.py'

model = dict(backbone=dict(use_tjg=False))
