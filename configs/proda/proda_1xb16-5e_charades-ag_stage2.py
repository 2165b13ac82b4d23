# ProDA stage 2 (post-train): the stage-1 checkpoint, then only the
# classifiers a_u, a_s, a_t and the probe a_m are trained (everything else
# has requires_grad=False, stays in eval mode and is left out of the
# optimizer), 5 epochs at lr 1e-4 (App. D.2). It loads the stage-1 best
# checkpoint, copied to best.pth by BestCheckpointLinkHook.
_base_ = './proda_1xb16-5e_charades-ag_stage1.py'

model = dict(trainable=('head', ))
load_from = 'work_dirs/proda_1xb16-5e_charades-ag_stage1/best.pth'
optim_wrapper = dict(optimizer=dict(lr=1e-4))
default_hooks = dict(checkpoint=dict(save_best='proda/a_t_mAP'))
