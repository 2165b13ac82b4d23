# GAP + CTR-GCN as the official GAP code builds it for NTU RGB+D, official
# defaults throughout: "joint" = each joint minus its 8th ancestor (computed
# in the model; bone: k_hop=1), CLIP ViT-B/32 text tower fine-tuned at the
# skeleton lr, 4 parts, logit scale used without exp, lambda 0.8. 120
# classes; NTU-60 configs set the classifier to 60 (the text bank then uses
# the first 60 classes of NTU-120, which are NTU-60's).

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
        # or the official descriptions converted from a checkout of the
        # official code by tools/gap/import_official_descriptions.py
        text_bank='ntu120',
        partition='ntu_joint_4',
        text_encoder=dict(type='CLIPTextEncoder', pretrained=clip_weights),
        prompt_style='official',
        logit_scale='linear',
        loss_weight=0.8))
