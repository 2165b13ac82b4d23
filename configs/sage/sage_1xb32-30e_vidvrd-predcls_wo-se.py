# SAGE ablation, Table 3 "w/o SE": no semantic teacher (no descriptions); its stage 1 is
# sage_1xb32-30e_vidvrd_stage1-wo-se.py.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

load_from = 'work_dirs/sage_1xb32-30e_vidvrd_stage1-wo-se/epoch_30.pth'
model = dict(encoder=dict(semantic_enhancement=False))
