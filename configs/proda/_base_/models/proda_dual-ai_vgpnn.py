# ProDA on scene graphs (paper Sec. 3, App. A-C). The paper gives no widths
# or depths: these are our choices, documented in configs/proda/README.md.
num_classes = 157
model = dict(
    type='ProDARecognizer',
    num_classes=num_classes,
    embed_dims=256,
    encoder=dict(
        type='DualAIEncoder',
        in_channels=512,  # CLIP ViT-B/16 RoI features
        embed_dims=256,
        num_heads=8,
        ffn_dims=1024,
        depth=1,
        streams=('st', 'ts', 'ss', 'tt')),
    vgpnn=dict(
        type='VGPNN',
        num_relations=26,  # Action Genome relation types
        num_layers=2,
        layer_cfg=dict(num_heads=8, temporal_layers=1),
        norm_cfg=dict(type='VGNorm', num_frames=16, momentum=0.9)),
    prompt=dict(type='DynamicPromptModule', num_prompts=10),
    readout=dict(type='GraphReadout'),
    fusion=dict(type='GateFusion'),
    head=dict(type='ProDAHead'),
    loss_dis=dict(
        type='PearsonDisentanglementLoss', margin=0.4, reduction='sample'),
    loss_rec=dict(
        type='MarginReconstructionLoss', margin=0.3, reduction='sample'),
    loss_weights=dict(u=1., s=1., t=1., ad=1.),
    aux_loss_weight=1.)
