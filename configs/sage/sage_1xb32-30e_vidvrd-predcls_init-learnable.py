# SAGE ablation, Table 9 "Learnable": the generic template, learned.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

model = dict(head=dict(prompt_learner=dict(context_init='a photo of a')))
