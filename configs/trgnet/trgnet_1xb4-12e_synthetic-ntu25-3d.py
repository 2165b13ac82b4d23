# TRG-Net on the embedded synthetic sequences (CPU-sized: 32 channels, 6
# temporal layers; otherwise the paper's architecture, losses and SAEP).
# Text priors: joint descriptions (joints_ntu25) and action descriptions
# (a background class 0, then synthetic12) encoded by the offline MiniLM
# (python tools/text/link_minilm.py), cached on first use.
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/trgnet.py',
    '../_base_/datasets/synthetic_segmentation_ntu25_3d.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    backbone=dict(in_channels=6, channels=32, num_layers=6),
    head=dict(channels=32, num_layers=6),
    joint_texts=dict(
        text_bank='joints_ntu25',
        text_encoder=dict(
            model_path='data/text_models/all-MiniLM-L6-v2', pooling='mean')),
    action_texts=dict(
        text_bank='synthetic12',
        extra_texts=[
            'no action: the person stands at rest or shifts between two '
            'actions'
        ],
        text_encoder=dict(
            model_path='data/text_models/all-MiniLM-L6-v2', pooling='mean')))

train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=12, val_begin=4, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = []
default_hooks = dict(
    checkpoint=dict(
        interval=4, max_keep_ckpts=1, save_best='F1@50', rule='greater'),
    logger=dict(interval=10))
