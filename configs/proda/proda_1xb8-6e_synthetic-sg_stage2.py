# ProDA stage 2 on the embedded synthetic scene graphs: only the
# classifiers train, from the stage-1 best checkpoint (best.pth).
_base_ = './proda_1xb8-20e_synthetic-sg_stage1.py'

model = dict(trainable=('head', ))
load_from = 'work_dirs/proda_1xb8-20e_synthetic-sg_stage1/best.pth'
train_cfg = dict(max_epochs=6)
optim_wrapper = dict(optimizer=dict(lr=1e-3))  # x10 on the classifiers
default_hooks = dict(checkpoint=dict(save_best='proda/a_t_mAP'))
