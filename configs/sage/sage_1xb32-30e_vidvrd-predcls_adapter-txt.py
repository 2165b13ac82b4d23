# SAGE ablation, Table 6 "Txt", as we read the paper's undefined adapters
# (README, "Adapters"): a CLIP-Adapter (Gao et al., 2021) on the predicate
# classifiers (the prompt learner's class embeddings), trained with the
# prompts. The visual side is the default one: its stage 1 is
# sage_1xb32-30e_vidvrd_stage1.py.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

model = dict(
    head=dict(text_adapter=dict(type='CLIPAdapter', reduction=4, ratio=0.2)))
