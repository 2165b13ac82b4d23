# SAGE stage 1 on VidVRD: the spatio-temporal relation encoder, object and
# interaction heads learn against the frozen CLIP embeddings of the
# predicate names; the prompt learner is frozen (unused). GT trajectories.
# Stage 2 (sage_1xb32-30e_vidvrd-predcls.py) starts from this run's last
# checkpoint.
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

model = dict(
    head=dict(learn_prompts=False), frozen_modules=('head.prompt_learner', ))
