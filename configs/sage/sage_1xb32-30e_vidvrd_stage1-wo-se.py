# SAGE ablation, Stage 1 of Table 3 "w/o SE".
_base_ = './sage_1xb32-30e_vidvrd_stage1.py'

model = dict(encoder=dict(semantic_enhancement=False))
# the dataset pieces' pipeline without descriptions
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.pipeline_without_descriptions}}))
val_dataloader = dict(
    dataset=dict(pipeline={{_base_.pipeline_without_descriptions}}))
test_dataloader = val_dataloader
