# Analysis of the synthetic stage 2 (test only), as the Charades
# *_stage2-analysis.py: the training recipe's specifications at test time
# (built from the ground truth by design), a_s mAP by label count and
# frame-level localization mAP from the frame weights s. Its a_t is not a
# recognition result; the stage-2 config's 'partition' protocol gives that.
_base_ = './proda_1xb8-6e_synthetic-sg_stage2.py'
test_pipeline = [
    dict(
        type='SampleSceneGraphFrames',
        num_frames={{_base_.num_frames}},
        test_mode=True),
    dict(
        type='LoadSceneGraphNodeFeatures', feature_dir={{_base_.feature_dir}}),
    dict(
        type='SampleActionSpecifications',
        num_classes={{_base_.num_classes}},
        spec_len={{_base_.spec_len}},
        protocol='gt_recipe',
        seed=0),
    dict(
        type='PackActionInputs',
        collect_keys={{_base_.input_keys}},
        meta_keys={{_base_.meta_keys}},
        algorithm_keys={{_base_.spec_keys}})
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_evaluator = dict(
    type='ProDAMetric',
    num_classes={{_base_.num_classes}},
    by_label_count=True,
    localization=True,
    thetas=(0.5, 0.7),
    iou_thrs=(0.3, 0.5))
