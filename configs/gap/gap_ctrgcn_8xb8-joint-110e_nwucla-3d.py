# GAP + CTR-GCN, NW-UCLA, joint stream, the official recipe: batch 64
# (8 GPUs x 8), lr 0.2, weight decay 4e-4, 110 epochs (warm-up 5, x0.1 at
# 90 and 100), "joint" = (I - A^6) X with the official NW-UCLA graph quirk,
# lambda 1.0 (the official NW-UCLA script's default).
_base_ = [
    'mmaction::_base_/default_runtime.py',
    '../_base_/datasets/nwucla_official_gap.py',
    '../_base_/schedules/sgd_110e_warmup5_official_gap.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

clip_weights = 'data/text_models/clip/ViT-B-32.pt'
model = dict(
    type='GAPRecognizer',
    data_preprocessor=dict(
        type='SkeletonStreamPreprocessor', k_hop=6, layout='nwucla'),
    backbone=dict(
        type='CTRGCN',
        graph_cfg=dict(layout='nwucla', mode='spatial'),
        num_person=1),
    cls_head=dict(
        type='GCNHead',
        num_classes=10,
        in_channels=256,
        average_clips='score',
        init_cfg=dict(type='Normal', layer='Linear', std=(2 / 10)**0.5)),
    gap_head=dict(
        type='GAPHead',
        in_channels=256,
        text_bank='nwucla',
        partition='ucla_joint_4',
        text_encoder=dict(type='CLIPTextEncoder', pretrained=clip_weights),
        prompt_style='official',
        logit_scale='linear',
        loss_weight=1.0))

optim_wrapper = dict(optimizer=dict(lr=0.2, weight_decay=4e-4))
auto_scale_lr = dict(enable=False, base_batch_size=64)
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=2), logger=dict(interval=20))
