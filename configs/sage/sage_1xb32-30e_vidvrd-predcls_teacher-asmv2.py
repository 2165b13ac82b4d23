# SAGE ablation, Table 4 "ASMv2": the paper's semantic teacher, i.e. the
# default PredCls config with its teacher spelled out (Table 4 "No MLLM" is
# sage_1xb32-30e_vidvrd-predcls_wo-se.py). Its stage 1 is the default
# sage_1xb32-30e_vidvrd_stage1.py.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

teacher = 'asmv2'
data_prefix = dict(
    descriptions=f'data/vidvrd/descriptions/{teacher}/clip_vit_b16_gt')
train_dataloader = dict(dataset=dict(teacher=teacher, data_prefix=data_prefix))
val_dataloader = dict(dataset=dict(teacher=teacher, data_prefix=data_prefix))
test_dataloader = val_dataloader
