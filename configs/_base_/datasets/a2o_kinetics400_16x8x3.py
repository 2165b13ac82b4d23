# Kinetics-400 videos (MMAction2's layout: tools/data/kinetics) with
# per-frame object likelihood maps appended as extra channels, sampled as in
# V-JEPA 2's K400 evaluation ("16x8x3"): 8 segments of 16 frames (step 4) per
# video at 256 px, 3 spatial crops at test time; the 8 clips of a view are
# classified together (the recognizer's clips_per_view). No flips, as in
# V-JEPA 2's recipe. Its RandAugment and random erasing are left
# out: they would also alter the map channels.
dataset_type = 'VideoDataset'
data_root = 'data/kinetics400/videos_train'
data_root_val = 'data/kinetics400/videos_val'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'
ann_file_val = 'data/kinetics400/kinetics400_val_list_videos.txt'
ann_file_test = 'data/kinetics400/kinetics400_val_list_videos.txt'
# Likelihood maps precomputed per video and class set
# (tools/a2o/extract_likelihood_maps.py --out-root). The paper lists no object classes for this
# dataset: this is our starting set; ICRL (tools/a2o/icrl.py) replaces it.
maps_root = 'data/a2o/maps/kinetics400'
object_classes = [
    'person', 'hand', 'face', 'arm', 'leg', 'ball', 'tool', 'instrument',
    'vehicle', 'animal', 'water', 'floor', 'sky'
]
num_object_classes = len(object_classes)  # K map channels
# RGB + maps: the backbone input of the no-compression ablation
num_input_channels = 3 + num_object_classes
num_clips, clip_len, frame_interval, crop = 8, 16, 4, 256

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
        num_classes=400,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root_val),
        num_classes=400,
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
        data_prefix=dict(video=data_root_val),
        num_classes=400,
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
