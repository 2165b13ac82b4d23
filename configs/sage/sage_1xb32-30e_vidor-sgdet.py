# SAGE on VidOR tested as SGDet: detected tracklets (the dataset piece
# vidor_sgdet.py), predicted object classes. The model and its training
# are the PredCls config's: test its checkpoint.
_base_ = [
    'mmaction::_base_/default_runtime.py', '_base_/models/sage.py',
    '_base_/datasets/vidor_sgdet.py', '_base_/schedules/adamw_30e_sage.py'
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

load_from = 'work_dirs/sage_1xb32-30e_vidor_stage1/epoch_30.pth'
model = dict(
    encoder=dict(spatial_layers=2, temporal_layers=2),
    head=dict(
        dataset='vidor',
        prompt_learner=dict(classes='vidor_predicates'),
        object_embeddings=dict(text_bank='label_map:vidor_objects')),
    test_cfg=dict(object_labels='predict'))
