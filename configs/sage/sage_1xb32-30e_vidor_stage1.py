# SAGE stage 1 on VidOR: the spatio-temporal relation encoder, object and
# interaction heads learn against the frozen CLIP embeddings of the
# predicate names; the prompt learner is frozen (unused). GT trajectories.
# Stage 2 (sage_1xb32-30e_vidor-predcls.py) starts from this run's last
# checkpoint.
_base_ = [
    'mmaction::_base_/default_runtime.py', '_base_/models/sage.py',
    '_base_/datasets/vidor.py', '_base_/schedules/adamw_30e_sage.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

train_dataloader = dict(batch_size=32)
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=2))

# segment predictions associated per video (greedy association), scored
# against the gt_relations of each video's first sample; novel and all
val_evaluator = [
    dict(
        type='VidVRDSegmentMetric',
        dataset='vidor',
        split='novel',
        prefix='novel'),
    dict(
        type='VidVRDSegmentMetric', dataset='vidor', split='all', prefix='all')
]
test_evaluator = val_evaluator

model = dict(
    encoder=dict(spatial_layers=2, temporal_layers=2),
    head=dict(
        dataset='vidor',
        learn_prompts=False,
        prompt_learner=dict(classes='vidor_predicates'),
        object_embeddings=dict(text_bank='label_map:vidor_objects')),
    frozen_modules=('head.prompt_learner', ))
