# What the SAGE VidVRD configs share besides their dataset piece: model,
# schedule, runtime, checkpointing, metric and the stage-1 checkpoint that
# stage 2 starts from.
_base_ = [
    'mmaction::_base_/default_runtime.py', './models/sage.py',
    './schedules/adamw_30e_sage.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=2))

# segment predictions associated per video (greedy association), scored
# against the gt_relations of each video's first sample; novel and all
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

load_from = 'work_dirs/sage_1xb32-30e_vidvrd_stage1/epoch_30.pth'
