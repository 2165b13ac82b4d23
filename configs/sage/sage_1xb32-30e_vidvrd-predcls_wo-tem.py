# SAGE ablation, Table 3 "w/o Tem": a per-token linear layer replaces the temporal
# transformer; its stage 1 is sage_1xb32-30e_vidvrd_stage1-wo-tem.py.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

load_from = 'work_dirs/sage_1xb32-30e_vidvrd_stage1-wo-tem/epoch_30.pth'
model = dict(encoder=dict(temporal_layers=0))
