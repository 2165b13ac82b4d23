# SAGE stage 2 on VidVRD, tested as PredCls (GT trajectories and object
# classes): the visual side of stage 1 is frozen; the class-aware prompts
# (context tokens + TKE) learn with the relation and consistency losses.
# First train sage_1xb32-30e_vidvrd_stage1.py.
_base_ = [
    'mmaction::_base_/default_runtime.py', '_base_/models/sage.py',
    '_base_/datasets/vidvrd.py', '_base_/schedules/adamw_30e_sage.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

train_dataloader = dict(batch_size=32)
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
model = dict(test_cfg=dict(object_labels='given'))
