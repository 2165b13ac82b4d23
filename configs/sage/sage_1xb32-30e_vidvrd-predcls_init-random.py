# SAGE ablation, Table 9 "Random Init": context tokens drawn at random (std 0.02).
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

model = dict(head=dict(prompt_learner=dict(context_init=None)))
