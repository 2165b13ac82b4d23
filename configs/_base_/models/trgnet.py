# TRG-Net (Ji et al., 2025) as the official code builds it: 13-scale GCN stem,
# CTR-GC guided by the text joint graph (TJG), 10 dilated linear-attention
# layers with spatio-temporal fusion (64 channels), one class decoder and two
# boundary refinement stages. Losses: CE + GS-TMSE (1.0) averaged over the
# class stages, boundary BCE (0.1, pos_weight = 1 / boundary-frame ratio of
# the training set, counted by BoundaryPosWeightHook), ARIS 0.8 absolute +
# 1.0 relative. ``num_classes`` and ``text_dims`` come from the priors file
# that each dataset config names (tools/trgnet/build_text_priors.py).
model = dict(
    type='TRGNetSegmenter',
    backbone=dict(
        type='TRGNet',
        in_channels=12,
        graph_cfg=dict(layout='nturgb+d_lasa'),
        channels=64,
        num_layers=10,
        num_scales=13),
    head=dict(
        type='TRGNetHead',
        channels=64,
        num_layers=10,
        num_class_stages=2,
        num_boundary_stages=3),
    text_priors=None,
    smoothing_loss=dict(type='GSTMSELoss'),
    boundary_loss=dict(
        type='BoundaryBCELoss', pos_weight=None, loss_weight=0.1),
    aris_loss=dict(type='ARISLoss', absolute_weight=0.8, relative_weight=1.0))
custom_hooks = [dict(type='BoundaryPosWeightHook')]
