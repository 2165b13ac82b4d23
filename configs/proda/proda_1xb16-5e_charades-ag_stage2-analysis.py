# Tables 6-9 (analysis, test only): the specifications of the training
# recipe at test time, a_s mAP by label count and frame-level localization
# mAP from the SAP branch's frame weights s. These specifications are built
# from the ground truth by design, so a_t from this run is not a
# recognition result (use the stage-2 config's 'partition' protocol).
_base_ = './proda_1xb16-5e_charades-ag_stage2.py'
test_pipeline = [
    dict(step, protocol='gt_recipe', seed=0)
    if step['type'] == 'SampleActionSpecifications' else step
    for step in _base_.test_pipeline
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_evaluator = dict(
    type='ProDAMetric',
    num_classes={{_base_.num_classes}},
    by_label_count=True,
    localization=True,
    thetas=(0.2, 0.5, 0.7),
    iou_thrs=(0.2, 0.5, 0.7))
