# Ablation: no text joint graph (DSFM's graphs learned from data only).
_base_ = './trgnet_1xb4-12e_synthetic-ntu25-3d.py'

model = dict(backbone=dict(use_tjg=False))
