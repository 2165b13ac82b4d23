# GAP + CTR-GCN, NTU RGB+D 120 X-Sub, joint stream, the official recipe for
# 8 GPUs x 25 (110 epochs, 64-frame clips), official defaults throughout:
# "joint" = each joint minus its 8th ancestor, CLIP ViT-B/32 text tower
# fine-tuned at the skeleton lr, 4 parts, logit scale used without exp,
# lambda 0.8. `tools/dist_train.sh configs/gap/gap_ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py 8 --amp`.
_base_ = [
    'mmaction::_base_/default_runtime.py',
    '../_base_/datasets/ntu120_xsub_3d_official_gap.py',
    '../_base_/schedules/sgd_110e_warmup5_official_gap.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

# Put OpenAI's CLIP ViT-B/32 weights (ViT-B-32.pt) here or override with
# --cfg-options model.gap_head.text_encoder.pretrained=/path/to/ViT-B-32.pt
clip_weights = 'data/text_models/clip/ViT-B-32.pt'

model = dict(
    type='GAPRecognizer',
    data_preprocessor=dict(
        type='SkeletonStreamPreprocessor', k_hop=8, layout='nturgb+d'),
    backbone=dict(
        type='CTRGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial')),
    cls_head=dict(
        type='GCNHead',
        num_classes=120,
        in_channels=256,
        average_clips='score',  # raw logits, as the official ensemble sums
        init_cfg=dict(type='Normal', layer='Linear', std=(2 / 120)**0.5)),
    gap_head=dict(
        type='GAPHead',
        in_channels=256,
        text_bank='ntu120',
        partition='ntu_joint_4',
        text_encoder=dict(type='CLIPTextEncoder', pretrained=clip_weights),
        prompt_style='official',
        logit_scale='linear',
        loss_weight=0.8))

default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=2), logger=dict(interval=50))
