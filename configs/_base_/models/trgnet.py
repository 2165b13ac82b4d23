# TRG-Net (Ji et al., 2025) as the official code builds it: 13-scale GCN stem,
# CTR-GC guided by the text joint graph (TJG), 10 dilated linear-attention
# layers with spatio-temporal fusion (64 channels), one class decoder and two
# boundary refinement stages. Losses: CE + GS-TMSE (1.0) averaged over the
# class stages, boundary BCE (0.1, pos_weight = 1 / boundary-frame ratio of
# the training set, counted by BoundaryPosWeightHook), ARIS 0.8 absolute +
# 1.0 relative. Text priors: the joint descriptions (TJG) and the action
# descriptions (TAG, ARIS targets) encoded by BERT-base, pooled output (the
# paper's choice), from a local folder; each dataset config names its banks.
# The embeddings are cached in data/text_embeddings, built on first use
# (or by `python tools/trgnet/build_text_priors.py CONFIG`). ``num_classes``
# and ``text_dims`` follow from them.
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
    joint_texts=dict(
        type='ClassTextEmbeddings',
        text_bank='joints_ntu25',
        field='description',
        text_encoder=dict(
            type='HFTextEncoder',
            model_path='data/text_models/bert-base-uncased',
            pooling='pooler'),
        cache_dir='data/text_embeddings'),
    action_texts=dict(
        type='ClassTextEmbeddings',
        text_bank='pku_mmd',
        field='paragraph',
        extra_texts=[],
        text_encoder=dict(
            type='HFTextEncoder',
            model_path='data/text_models/bert-base-uncased',
            pooling='pooler'),
        cache_dir='data/text_embeddings'),
    smoothing_loss=dict(type='GSTMSELoss'),
    boundary_loss=dict(
        type='BoundaryBCELoss', pos_weight=None, loss_weight=0.1),
    aris_loss=dict(type='ARISLoss', absolute_weight=0.8, relative_weight=1.0))
custom_hooks = [
    dict(type='BoundaryPosWeightHook'),
    dict(type='TextClassesCheckHook')
]
