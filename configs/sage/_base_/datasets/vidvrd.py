# PLACEHOLDER so that the SAGE configs parse before the dataset side lands;
# replaced by the real vidvrd segment dataset config (segments, subject-object
# pairs, cached CLIP / motion / description features, GT or detected
# trajectories) when the branches are merged.
dataset_type = 'VidVRDSegmentDataset'
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, dataset='vidvrd', split='train'))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, dataset='vidvrd', split='test'))
test_dataloader = val_dataloader
val_evaluator = dict(type='VidVRDMetric', dataset='vidvrd', split='all')
test_evaluator = val_evaluator
