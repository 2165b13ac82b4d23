# SAGE ablation, Table 7: TKE bottleneck 256 (the paper's best: 64).
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

model = dict(head=dict(prompt_learner=dict(tke_hidden=256)))
