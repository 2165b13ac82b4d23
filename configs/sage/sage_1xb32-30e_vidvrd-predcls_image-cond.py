# SAGE ablation, Table 5 "Image-Cond": CoCoOp-style prompts conditioned on each pair's
# V_vr (meta-net bias on the context tokens) instead of the class-aware TKE.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

model = dict(
    head=dict(
        prompt_learner=dict(
            type='ImageConditionedPromptLearner',
            visual_dims=2048,
            style='cocoop')))
