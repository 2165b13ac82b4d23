# SAGE ablation, Table 3 "w/o SE": no semantic teacher (no descriptions); its stage 1 is
# sage_1xb32-30e_vidvrd_stage1-wo-se.py.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

load_from = 'work_dirs/sage_1xb32-30e_vidvrd_stage1-wo-se/epoch_30.pth'
model = dict(encoder=dict(semantic_enhancement=False))
# the dataset pieces' pipeline without descriptions
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.pipeline_without_descriptions}}))
val_dataloader = dict(
    dataset=dict(pipeline={{_base_.pipeline_without_descriptions}}))
test_dataloader = val_dataloader
