# Embedded synthetic long skeleton sequences for temporal action
# segmentation: 4-8 of the 12 synthetic actions per sequence with rest
# transitions (class 0 "background"), NTU RGB+D 25 joints, one person.
# Written by `python tools/data/make_synthetic_segmentation.py`.
dataset_type = 'SkeletonSegmentationDataset'
ann_file = 'data/synthetic/segmentation_ntu25_3d.pkl'
dataset_checks = dict(num_classes=13, num_joints=25, keypoint_dims=3)

train_pipeline = [
    dict(type='SegmentationFeatures', mode='disp_rel', num_person=1),
    dict(
        type='SAEP',
        occlusion_prob=0.35,
        rotation_prob=0.35,
        occlusion_ratio=0.5,
        rotation_axis='y'),
    dict(type='PackSegmentationInputs')
]
test_pipeline = [
    dict(type='SegmentationFeatures', mode='disp_rel', num_person=1),
    dict(type='PackSegmentationInputs')
]

train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        pipeline=train_pipeline,
        split='train',
        **dataset_checks))
val_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        pipeline=test_pipeline,
        split='test',
        test_mode=True,
        **dataset_checks))
test_dataloader = val_dataloader

# the transitions are a real background class: left out of Edit and F1
val_evaluator = dict(
    type='SegmentationMetric', bg_class=[0], use_boundary_refinement=True)
test_evaluator = val_evaluator
