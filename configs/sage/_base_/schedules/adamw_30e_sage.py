# SAGE's schedule (paper Sec. 4.2): AdamW, lr 1e-3, x0.1 at epochs 15, 20
# and 25, batch 32 on one GPU. 30 epochs and weight decay 0.01 are OV-MMP's
# (github.com/wangyongqi558/MMP_OV_VidVRD), which SAGE follows; the paper
# states neither. Each of the two stages runs this schedule; the configs set
# the batch (32) and the checkpoint hook.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.01))
param_scheduler = [
    dict(
        type='MultiStepLR', by_epoch=True, milestones=[15, 20, 25], gamma=0.1)
]
