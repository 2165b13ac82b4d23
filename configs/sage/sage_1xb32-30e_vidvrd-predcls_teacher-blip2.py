# SAGE ablation, Table 4 "BLIP-2": the descriptions of BLIP-2 instead of
# ASMv2 as the semantic teacher (F_text in data/vidvrd/descriptions/blip2/;
# README: how to write them); its stage 1 is
# sage_1xb32-30e_vidvrd_stage1-teacher-blip2.py.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

load_from = 'work_dirs/sage_1xb32-30e_vidvrd_stage1-teacher-blip2/epoch_30.pth'
teacher = 'blip2'
data_prefix = dict(
    descriptions=f'data/vidvrd/descriptions/{teacher}/clip_vit_b16_gt')
train_dataloader = dict(dataset=dict(teacher=teacher, data_prefix=data_prefix))
val_dataloader = dict(dataset=dict(teacher=teacher, data_prefix=data_prefix))
test_dataloader = val_dataloader
