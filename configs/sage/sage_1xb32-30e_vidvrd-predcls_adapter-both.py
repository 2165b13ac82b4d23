# SAGE ablation, Table 6 "Vis + Txt" (the paper's full model's row), as we
# read the paper's undefined adapters (README, "Adapters"): both
# CLIP-Adapters; its stage 1 is sage_1xb32-30e_vidvrd_stage1-adapter-vis.py.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

load_from = 'work_dirs/sage_1xb32-30e_vidvrd_stage1-adapter-vis/epoch_30.pth'
model = dict(
    encoder=dict(
        visual_adapter=dict(type='CLIPAdapter', reduction=4, ratio=0.2)),
    head=dict(text_adapter=dict(type='CLIPAdapter', reduction=4, ratio=0.2)))
