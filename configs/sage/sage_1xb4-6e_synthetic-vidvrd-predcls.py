# SAGE stage 2 on the embedded synthetic data, tested as PredCls: the visual
# side of sage_1xb4-6e_synthetic-vidvrd_stage1.py frozen, the class-aware
# prompts learned.
_base_ = './sage_1xb4-6e_synthetic-vidvrd_stage1.py'

load_from = 'work_dirs/sage_1xb4-6e_synthetic-vidvrd_stage1/epoch_6.pth'
model = dict(
    head=dict(learn_prompts=True),
    frozen_modules=('encoder', 'head.relation_proj', 'head.object_proj',
                    'head.interaction'),
    test_cfg=dict(object_labels='given'))
