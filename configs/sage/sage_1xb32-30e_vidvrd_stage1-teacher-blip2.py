# SAGE ablation, Stage 1 of Table 4 "BLIP-2": BLIP-2's descriptions.
_base_ = './sage_1xb32-30e_vidvrd_stage1.py'

teacher = 'blip2'
data_prefix = dict(
    descriptions=f'data/vidvrd/descriptions/{teacher}/clip_vit_b16_gt')
train_dataloader = dict(dataset=dict(teacher=teacher, data_prefix=data_prefix))
val_dataloader = dict(dataset=dict(teacher=teacher, data_prefix=data_prefix))
test_dataloader = val_dataloader
