# SAGE ablation, Table 8: class-aware prompts inserted after text layer 2 (best: 6).
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

model = dict(head=dict(prompt_learner=dict(insert_layer=2)))
