# Tables 6-9 (analysis, test only): the specifications of the training
# recipe at test time, a_s mAP by label count and frame-level localization
# mAP from the SAP branch's frame weights s. These specifications are built
# from the ground truth by design, so a_t from this run is not a
# recognition result (use the stage-2 config's 'partition' protocol).
_base_ = './proda_1xb16-5e_charades-ag_stage2.py'
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
        spec_len=16,
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
    thetas=(0.2, 0.5, 0.7),
    iou_thrs=(0.2, 0.5, 0.7))
