# SAGE ablation, Table 3 "w/o CE": stage 2 keeps the frozen CLIP predicate embeddings
# (no learned prompts, no consistency loss).
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

model = dict(head=dict(learn_prompts=False))
