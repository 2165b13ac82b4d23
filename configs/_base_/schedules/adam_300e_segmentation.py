# The official TRG-Net schedule: Adam at a constant 1e-3, 300 epochs, seed
# 42. The official code passes weight_decay=1e-4 to an optimizer factory that
# (as in its sibling LaSA) ignores it, so there is none here. It evaluates on
# the test split every epoch and keeps the best-F1@50 checkpoint; we validate
# every 10 epochs (dataset configs keep the best-F1@50 checkpoint too) and
# report tools/test.py on the last checkpoint.
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=300, val_begin=10, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, weight_decay=0.))
param_scheduler = []
randomness = dict(seed=42)
# The official runs use one GPU with batch 8 (MCFS: 1); with several GPUs the
# total batch grows and `--auto-scale-lr` scales lr by total batch / 8.
auto_scale_lr = dict(enable=False, base_batch_size=8)
