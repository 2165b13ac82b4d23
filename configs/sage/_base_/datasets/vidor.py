# PLACEHOLDER so that the SAGE configs parse before the dataset side lands;
# replaced by the real vidor segment dataset config (segments, subject-object
# pairs, cached CLIP / motion / description features, GT or detected
# trajectories) when the branches are merged.
dataset_type = 'VidVRDSegmentDataset'
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, dataset='vidor', split='train'))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, dataset='vidor', split='test'))
test_dataloader = val_dataloader
val_evaluator = dict(type='VidVRDMetric', dataset='vidor', split='all')
test_evaluator = val_evaluator
