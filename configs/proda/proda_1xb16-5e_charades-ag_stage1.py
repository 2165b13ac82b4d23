# ProDA stage 1 (pre-train) on Charades / Action Genome scene graphs, the
# paper's Table 1 setting: 16 frames, CLIP ViT-B/16 node features, the whole
# network trained end to end for 5 epochs at lr 2e-4 (App. D.2) with the
# Appendix C specifications (K = 16). The best epoch by a_s mAP (ground-
# truth-free 'partition' protocol) is kept for stage 2.
_base_ = [
    'mmaction::_base_/default_runtime.py',
    './_base_/datasets/charades_ag_scene_graphs.py',
    './_base_/models/proda_dual-ai_vgpnn.py',
    './_base_/schedules/adamw_5e_two-stage.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

# the dataset piece's pipelines with K = 16 action specifications sampled
# before packing: the training recipe's in training, the ground-truth-free
# 'partition' protocol in evaluation
spec_keys = ('action_specs', 'spec_num_present', 'spec_distractor')
train_pipeline = [
    *_base_.train_pipeline[:-1],
    dict(
        type='SampleActionSpecifications',
        num_classes=_base_.num_classes,
        spec_len=16,
        protocol='recipe'),
    dict(_base_.train_pipeline[-1], algorithm_keys=spec_keys)
]
test_pipeline = [
    *_base_.test_pipeline[:-1],
    dict(train_pipeline[-2], protocol='partition'),
    dict(_base_.test_pipeline[-1], algorithm_keys=spec_keys)
]
train_dataloader = dict(
    dataset=dict(pipeline=train_pipeline, num_classes={{_base_.num_classes}}))
val_dataloader = dict(
    dataset=dict(pipeline=test_pipeline, num_classes={{_base_.num_classes}}))
test_dataloader = val_dataloader
val_evaluator = dict(type='ProDAMetric', num_classes={{_base_.num_classes}})
test_evaluator = val_evaluator

default_hooks = dict(
    checkpoint=dict(
        interval=1,
        save_best='proda/a_s_mAP',
        rule='greater',
        max_keep_ckpts=1))
# a fixed name for the best checkpoint, which stage 2 loads
custom_hooks = [dict(type='BestCheckpointLinkHook', filename='best.pth')]
