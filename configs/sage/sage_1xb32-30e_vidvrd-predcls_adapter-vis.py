# SAGE ablation, Table 6 "Vis", as we read the paper's undefined adapters
# (README, "Adapters"): a CLIP-Adapter (Gao et al., 2021) on the frozen CLIP
# region features, trained in stage 1 and frozen with the encoder here; its
# stage 1 is sage_1xb32-30e_vidvrd_stage1-adapter-vis.py.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

load_from = 'work_dirs/sage_1xb32-30e_vidvrd_stage1-adapter-vis/epoch_30.pth'
model = dict(
    encoder=dict(
        visual_adapter=dict(type='CLIPAdapter', reduction=4, ratio=0.2)))
