# TRG-Net on the embedded synthetic sequences (CPU-sized: 32 channels, 6
# temporal layers; otherwise the paper's architecture, losses and SAEP).
# Text priors: joint descriptions (joints_ntu25) and action descriptions
# (synthetic12 + a background class) encoded by the offline MiniLM:
#   python tools/trgnet/build_text_priors.py --joints joints_ntu25 \
#     --actions synthetic12 --background "no action: the person stands at \
#     rest or shifts between two actions" --encoder hf \
#     --encoder-path data/text_models/all-MiniLM-L6-v2 \
#     --out data/text_priors/synthetic_minilm.npz
_base_ = [
    'mmaction::_base_/default_runtime.py',
    '../_base_/datasets/synthetic_segmentation_ntu25_3d.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    type='TRGNetSegmenter',
    backbone=dict(
        type='TRGNet',
        in_channels=6,
        layout='nturgb+d',
        channels=32,
        num_layers=6),
    head=dict(
        type='TRGNetHead',
        num_classes=13,
        channels=32,
        num_layers=6,
        text_dims=384),  # MiniLM
    text_priors='data/text_priors/synthetic_minilm.npz',
    # about 1 frame in 60 starts a segment
    boundary_loss=dict(type='BoundaryBCELoss', pos_weight=60.,
                       loss_weight=0.1))

train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=8, val_begin=2, val_interval=2)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = []
default_hooks = dict(
    checkpoint=dict(
        interval=2, max_keep_ckpts=1, save_best='F1@50', rule='greater'),
    logger=dict(interval=10))
