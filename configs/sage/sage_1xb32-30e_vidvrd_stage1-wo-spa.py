# SAGE ablation, Stage 1 of Table 3 "w/o Spa".
_base_ = './sage_1xb32-30e_vidvrd_stage1.py'

model = dict(encoder=dict(spatial_layers=0))
