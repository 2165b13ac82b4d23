# Ablation (paper Table IV): no text joint graph; DSFM's graphs are learned
# from data only.
_base_ = './trgnet_pku-mmd-xsub.py'

model = dict(backbone=dict(use_tjg=False))
