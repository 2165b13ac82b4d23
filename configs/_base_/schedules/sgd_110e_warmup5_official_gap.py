# The official GAP / CTR-GCN schedule: SGD (Nesterov, momentum 0.9, weight
# decay 5e-4 on every parameter), lr 0.1 for a total batch of 200, linear
# warm-up over 5 epochs (lr * (epoch + 1) / 5), x0.1 at epochs 90 and 100,
# 110 epochs, testing after every epoch.
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=110, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=0.2, by_epoch=True, begin=0, end=5),
    dict(
        type='MultiStepLR',
        milestones=[90, 100],
        gamma=0.1,
        by_epoch=True,
        begin=0,
        end=110)
]
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True))
# `--auto-scale-lr` scales lr by (GPUs x batch per GPU) / 200.
auto_scale_lr = dict(enable=False, base_batch_size=200)
