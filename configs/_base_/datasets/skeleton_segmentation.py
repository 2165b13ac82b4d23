# Frame-wise labelled skeleton sequences (SkeletonSegmentationDataset; format
# in its docstring, converters in tools/data/). Defaults are PKU-MMD's: two
# persons of 25 joints, the official displacement + relative-coordinate
# features (12 channels), SAEP with rotation about the vertical (y) axis.
# Dataset configs set ``ann_file`` and change the pipelines where needed.
dataset_type = 'SkeletonSegmentationDataset'
ann_file = None  # set by the dataset config

train_pipeline = [
    dict(type='SegmentationFeatures', mode='disp_rel', num_person=2),
    dict(
        type='SAEP',
        occlusion_prob=0.35,
        rotation_prob=0.35,
        occlusion_ratio=0.5,
        rotation_axis='y'),
    dict(type='PackSegmentationInputs')
]
test_pipeline = [
    dict(type='SegmentationFeatures', mode='disp_rel', num_person=2),
    dict(type='PackSegmentationInputs')
]

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        split='test',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# As the official evaluation every class, NONE included, is scored (it leaves
# out only a class named "background"); set bg_class to exclude a class.
val_evaluator = dict(
    type='SegmentationMetric', bg_class=[], use_boundary_refinement=True)
test_evaluator = val_evaluator
