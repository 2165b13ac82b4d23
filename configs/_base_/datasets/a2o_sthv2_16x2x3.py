# Something-Something V2 videos (MMAction2's layout: tools/data/sthv2) with
# per-frame object likelihood maps appended as extra channels, sampled as in
# V-JEPA 2's SSv2 evaluation ("16x2x3"): 2 segments of 16 frames (step 4) per
# video at 256 px, 3 spatial crops at test time; the 2 clips of a view are
# classified together (the recognizer's clips_per_view). No flips (SSv2 has
# left/right classes). V-JEPA 2's RandAugment and random erasing are left
# out: they would also alter the map channels.
dataset_type = 'VideoDataset'
data_root = 'data/sthv2/videos'
ann_file_train = 'data/sthv2/sthv2_train_list_videos.txt'
ann_file_val = 'data/sthv2/sthv2_val_list_videos.txt'
ann_file_test = 'data/sthv2/sthv2_val_list_videos.txt'
# Likelihood maps precomputed per video and class set
# (tools/a2o/extract_likelihood_maps.py --out-root). The paper lists no object classes for this
# dataset: this is our starting set; ICRL (tools/a2o/icrl.py) replaces it.
maps_root = 'data/a2o/maps/sthv2'
object_classes = [
    'hand', 'finger', 'arm', 'held object', 'container', 'lid', 'cloth',
    'paper', 'table', 'surface', 'background'
]
num_object_classes = len(object_classes)  # K map channels
# RGB + maps: the backbone input of the no-compression ablation
num_input_channels = 3 + num_object_classes
num_clips, clip_len, frame_interval, crop = 2, 16, 4, 256

load_maps = dict(
    type='LoadLikelihoodMaps',
    classes=object_classes,
    maps_dir=maps_root,
    video_root=data_root)
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
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=clip_len,
        frame_interval=frame_interval,
        num_clips=num_clips,
        test_mode=True),
    dict(type='DecordDecode'), load_maps,
    dict(type='Resize', scale=(-1, crop)),
    dict(type='ThreeCrop', crop_size=crop),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=4,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        num_classes=174,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        num_classes=174,
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_test,
        data_prefix=dict(video=data_root),
        num_classes=174,
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
