# SAGE stage 2 (PredCls) on the embedded synthetic data with the semantic
# teacher's encoded descriptions; stage 1 is
# sage_1xb4-6e_synthetic-vidvrd_stage1-with-se.py.
_base_ = './sage_1xb4-6e_synthetic-vidvrd-predcls.py'

load_from = 'work_dirs/sage_1xb4-6e_synthetic-vidvrd_stage1-with-se/epoch_6.pth'
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.pipeline_with_descriptions}}))
val_dataloader = dict(
    dataset=dict(pipeline={{_base_.pipeline_with_descriptions}}))
test_dataloader = val_dataloader
