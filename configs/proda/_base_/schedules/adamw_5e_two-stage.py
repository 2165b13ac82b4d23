# ProDA App. D.2: each stage runs 5 epochs; stage 1 at lr 2e-4, stage 2 at
# 1e-4 (the stage-2 configs override lr). AdamW, weight decay 0.05 and
# gradient clipping at 40 follow the official code's optimizer.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=5, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    constructor='TrainableParamsOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=0.05),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = []
