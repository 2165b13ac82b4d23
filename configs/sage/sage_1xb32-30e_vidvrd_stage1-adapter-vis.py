# SAGE ablation, Stage 1 of Table 6 "Vis" (and "Vis + Txt"): the visual
# CLIP-Adapter trains with the relation encoder.
_base_ = './sage_1xb32-30e_vidvrd_stage1.py'

model = dict(
    encoder=dict(
        visual_adapter=dict(type='CLIPAdapter', reduction=4, ratio=0.2)))
