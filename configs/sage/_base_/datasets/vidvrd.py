# ImageNet-VidVRD, open-vocabulary (RePro / OV-MMP splits): train on the
# base objects and predicates with ground-truth trajectories, test on all
# classes with ground-truth trajectories (PredCls, SGCls).
# Data preparation: configs/sage/README.md.
dataset_type = 'VidVRDSegmentDataset'
data_root = 'data/vidvrd'
num_frames = 8  # sampled frames per 30-frame segment (not in the paper)
feature_dims = 512  # CLIP ViT-B/16 embedding size
# the semantic teacher whose descriptions the configs read (SAGE's: ASMv2;
# Table 4: ..._teacher-blip2.py); the encoded description files record
# their teacher and VidVRDSegmentDataset refuses those of another one
teacher = 'asmv2'

data_prefix = dict(
    video=f'{data_root}/videos',
    features=f'{data_root}/features/clip_vit_b16_gt',
    descriptions=f'{data_root}/descriptions/{teacher}/clip_vit_b16_gt')
sample_keys = ('pair_tids', 'subject_labels', 'object_labels',
               'subject_scores', 'object_scores', 'subject_boxes',
               'object_boxes', 'relation_targets')
meta_keys = ('video_id', 'segment', 'segment_index', 'num_segments',
             'frame_inds', 'width', 'height', 'gt_relations')
feature_keys = ('subject_feats', 'object_feats', 'union_feats', 'frame_feats',
                'motion_feats', 'pair_mask')

# full SAGE: with the semantic teacher's encoded descriptions
pipeline = [
    dict(
        type='LoadVidVRDSegmentFeatures',
        with_descriptions=True,
        feature_dims=feature_dims),
    dict(
        type='PackActionInputs',
        collect_keys=feature_keys + ('description_feats', ),
        meta_keys=meta_keys,
        algorithm_keys=sample_keys)
]
# "w/o SE" ablation: no descriptions
pipeline_without_descriptions = [
    dict(type='LoadVidVRDSegmentFeatures', feature_dims=feature_dims),
    dict(
        type='PackActionInputs',
        collect_keys=feature_keys,
        meta_keys=meta_keys,
        algorithm_keys=sample_keys)
]
common = dict(
    type=dataset_type,
    dataset='vidvrd',
    data_prefix=data_prefix,
    teacher=teacher,
    num_frames=num_frames,
    pipeline=pipeline)

train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        ann_file=f'{data_root}/train',
        object_split='base',
        predicate_split='base',
        out_of_split='drop',
        max_pairs=64,
        skip_segments_without_relations=True,
        **common))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(ann_file=f'{data_root}/test', test_mode=True, **common))
test_dataloader = val_dataloader
