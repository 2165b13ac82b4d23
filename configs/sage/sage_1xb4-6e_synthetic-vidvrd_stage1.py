# SAGE stage 1 on the embedded synthetic VidVRD-format data (CPU-sized:
# 32-d features of the tiny random CLIP, 32-d transformers, its one text
# layer, so the class-aware prompts join at the input). Write the data with
#   python tools/sage/make_synthetic_vidvrd.py data/sage_synthetic
# then train this config and sage_1xb4-6e_synthetic-vidvrd-predcls.py.
_base_ = [
    'mmaction::_base_/default_runtime.py', '_base_/models/sage.py',
    '_base_/datasets/synthetic_vidvrd.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

clip_text = dict(
    type='CLIPTextEncoder', pretrained='data/sage_synthetic/clip-tiny')
model = dict(
    encoder=dict(in_dims=32, text_dims=32, embed_dims=32, max_frames=8),
    head=dict(
        learn_prompts=False,
        prompt_learner=dict(text_encoder=clip_text, insert_layer=0),
        object_embeddings=dict(
            text_encoder=dict(clip_text, frozen=True),
            cache_dir='data/sage_synthetic/text_embeddings')),
    frozen_modules=('head.prompt_learner', ))

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=6, val_interval=6)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.01))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[4], gamma=0.1)
]
default_hooks = dict(
    checkpoint=dict(interval=6, max_keep_ckpts=1), logger=dict(interval=5))
val_evaluator = [
    dict(
        type='VidVRDSegmentMetric',
        dataset='vidvrd',
        split='novel',
        prefix='novel'),
    dict(
        type='VidVRDSegmentMetric',
        dataset='vidvrd',
        split='all',
        prefix='all')
]
test_evaluator = val_evaluator
