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
# NW-UCLA's 20-joint tree (0-based child -> parent), centred on joint 2.
ucla_layout = dict(
    num_node=20,
    inward=[(0, 1), (1, 2), (3, 2), (4, 2), (5, 4), (6, 5), (7, 6), (8, 2),
            (9, 8), (10, 9), (11, 10), (12, 0), (13, 12), (14, 13), (15, 14),
            (16, 0), (17, 16), (18, 17), (19, 18)],
    center=2)

model = dict(
    type='GAPRecognizer',
    data_preprocessor=dict(
        type='SkeletonStreamPreprocessor', k_hop=6, layout='nwucla'),
    backbone=dict(
        type='CTRGCN',
        graph_cfg=dict(layout=ucla_layout, mode='spatial'),
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
