# AdamW with a per-iteration cosine decay to 0 and no warmup, as V-JEPA 2's
# probe training; the A2O configs set lr, weight decay and epochs from the
# paper's Table 10 (they override T_max together with max_epochs).
optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=1e-5))
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=5, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=5,
        eta_min=0,
        by_epoch=True,
        convert_to_iter_based=True)
]
