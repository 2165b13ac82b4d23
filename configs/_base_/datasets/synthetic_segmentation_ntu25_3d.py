# Embedded synthetic long skeleton sequences for temporal action
# segmentation: 4-8 of the 12 synthetic actions per sequence with rest
# transitions (class 0 "background"), NTU RGB+D 25 joints, one person.
# Written by `python tools/data/make_synthetic_segmentation.py`.
_base_ = './skeleton_segmentation.py'

ann_file = 'data/synthetic/segmentation_ntu25_3d.pkl'
dataset_checks = dict(num_classes=13, num_joints=25, keypoint_dims=3)

features = dict(type='SegmentationFeatures', mode='disp_rel', num_person=1)
train_pipeline = [
    features,
    dict(
        type='SAEP',
        occlusion_prob=0.35,
        rotation_prob=0.35,
        occlusion_ratio=0.5,
        rotation_axis='y'),
    dict(type='PackSegmentationInputs')
]
test_pipeline = [features, dict(type='PackSegmentationInputs')]

train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    dataset=dict(
        ann_file=ann_file, pipeline=train_pipeline, **dataset_checks))
val_dataloader = dict(
    batch_size=4,
    dataset=dict(ann_file=ann_file, pipeline=test_pipeline, **dataset_checks))
test_dataloader = val_dataloader

# the transitions are a real background class: left out of Edit and F1
val_evaluator = dict(bg_class=[0])
test_evaluator = val_evaluator
