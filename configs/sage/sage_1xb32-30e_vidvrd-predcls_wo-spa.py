# SAGE ablation, Table 3 "w/o Spa": a per-token linear layer replaces the spatial
# transformer; its stage 1 is sage_1xb32-30e_vidvrd_stage1-wo-spa.py.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

load_from = 'work_dirs/sage_1xb32-30e_vidvrd_stage1-wo-spa/epoch_30.pth'
model = dict(encoder=dict(spatial_layers=0))
