# What the A2O video dataset pieces share: videos decoded with decord, with
# per-frame object likelihood maps appended as extra channels, sampled as in
# V-JEPA 2's evaluations: num_clips segments of 16 frames (step 4) per video
# at 256 px, 3 spatial crops at test time; the clips of a view are classified
# together (the recognizer's clips_per_view). No flips, as in V-JEPA 2's
# recipe. V-JEPA 2's RandAugment and random erasing are left out: they would
# also alter the map channels. Each dataset piece sets the data paths, the
# object classes (its LoadLikelihoodMaps step), num_clips and the number of
# action classes.
dataset_type = 'VideoDataset'
num_clips, clip_len, frame_interval, crop = 2, 16, 4, 256

# classes, maps_dir and video_root: set by each dataset piece
load_maps = dict(type='LoadLikelihoodMaps')
train_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=clip_len,
        frame_interval=frame_interval,
        num_clips=num_clips),
    dict(type='DecordDecode'), load_maps,
    dict(
        type='RandomResizedCrop',
        area_range=(0.08, 1.0),
        aspect_ratio_range=(0.75, 4 / 3)),
    dict(type='Resize', scale=(crop, crop), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=clip_len,
        frame_interval=frame_interval,
        num_clips=num_clips,
        test_mode=True),
    dict(type='DecordDecode'), load_maps,
    dict(type='Resize', scale=(-1, crop)),
    dict(type='CenterCrop', crop_size=crop),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    *val_pipeline[:-3],
    dict(type='ThreeCrop', crop_size=crop),
    *val_pipeline[-2:]
]

train_dataloader = dict(
    batch_size=4,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    val_dataloader,
    batch_size=1,
    dataset=dict(type=dataset_type, pipeline=test_pipeline, test_mode=True))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
