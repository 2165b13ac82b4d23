# ProDA stage 1 on the embedded synthetic scene graphs (12 actions, 7 slots,
# 7 relation types, 32-d node features): a narrow model, 8 frames, at most
# 2 specifications a video, batch 8 and a 10x learning rate on the
# classifiers, sized so that the demo (both stages and the tests) takes
# about 3 minutes on 2 CPU cores. Numbers from it are synthetic.
_base_ = [
    'mmaction::_base_/default_runtime.py',
    './_base_/datasets/synthetic_scene_graphs.py',
    './_base_/models/proda_dual-ai_vgpnn.py',
    './_base_/schedules/adamw_5e_two-stage.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

num_classes = 12
spec_len = 4  # K of Appendix C, scaled to 12 classes
num_frames = 8
model = dict(
    num_classes=num_classes,
    embed_dims=32,
    encoder=dict(in_channels=32, embed_dims=32, num_heads=2, ffn_dims=64),
    vgpnn=dict(
        num_relations=7,
        num_layers=1,
        layer_cfg=dict(num_heads=2, ffn_dims=64),
        norm_cfg=dict(num_frames=num_frames)),
    prompt=dict(num_prompts=4))

spec_keys = ('action_specs', 'spec_num_present', 'spec_distractor')
train_pipeline = [
    dict(type='SampleSceneGraphFrames', num_frames=num_frames),
    dict(
        type='LoadSceneGraphNodeFeatures', feature_dir={{_base_.feature_dir}}),
    dict(
        type='SampleActionSpecifications',
        num_classes=num_classes,
        spec_len=spec_len,
        protocol='recipe',
        max_specs=2),  # of 2L + 1 <= 9: bounds the CPU step time
    dict(
        type='PackActionInputs',
        collect_keys={{_base_.input_keys}},
        meta_keys={{_base_.meta_keys}},
        algorithm_keys=spec_keys)
]
test_pipeline = [
    dict(type='SampleSceneGraphFrames', num_frames=num_frames, test_mode=True),
    dict(
        type='LoadSceneGraphNodeFeatures', feature_dir={{_base_.feature_dir}}),
    dict(
        type='SampleActionSpecifications',
        num_classes=num_classes,
        spec_len=spec_len,
        protocol='partition'),
    dict(
        type='PackActionInputs',
        collect_keys={{_base_.input_keys}},
        meta_keys={{_base_.meta_keys}},
        algorithm_keys=spec_keys)
]
train_dataloader = dict(
    batch_size=8,
    dataset=dict(pipeline=train_pipeline, num_classes=num_classes))
val_dataloader = dict(
    dataset=dict(pipeline=test_pipeline, num_classes=num_classes))
test_dataloader = val_dataloader
val_evaluator = dict(type='ProDAMetric', num_classes=num_classes)
test_evaluator = val_evaluator

train_cfg = dict(max_epochs=20)
# the classifiers see pooled features that vary little between videos at
# first: a higher learning rate gets them off the label prior in few steps
optim_wrapper = dict(
    optimizer=dict(lr=3e-3),
    paramwise_cfg=dict(custom_keys={'head.': dict(lr_mult=10.)}))
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(
        interval=1,
        save_best='proda/a_s_mAP',
        rule='greater',
        max_keep_ckpts=1))
# a fixed name for the best checkpoint, which stage 2 loads
custom_hooks = [dict(type='BestCheckpointLinkHook', filename='best.pth')]
