# Something-Something V2 videos (MMAction2's layout: tools/data/sthv2) for
# A2O (a2o_video_maps.py), sampled as in V-JEPA 2's SSv2 evaluation
# ("16x2x3"): 2 segments of 16 frames per video, 3 test crops. No flips
# (SSv2 has left/right classes).
_base_ = ['./a2o_video_maps.py']

data_root = 'data/sthv2/videos'
ann_file_train = 'data/sthv2/sthv2_train_list_videos.txt'
ann_file_val = 'data/sthv2/sthv2_val_list_videos.txt'
ann_file_test = 'data/sthv2/sthv2_val_list_videos.txt'
# Likelihood maps precomputed per video and class set
# (tools/a2o/extract_likelihood_maps.py --out-root). The paper lists no
# object classes for this dataset: this is our starting set; ICRL
# (tools/a2o/icrl.py) replaces it.
maps_root = 'data/a2o/maps/sthv2'
object_classes = [
    'hand', 'finger', 'arm', 'held object', 'container', 'lid', 'cloth',
    'paper', 'table', 'surface', 'background'
]
num_object_classes = len(object_classes)  # K map channels
# RGB + maps: the backbone input of the no-compression ablation
num_input_channels = 3 + num_object_classes
num_clips = 2

load_maps = dict(
    type='LoadLikelihoodMaps',
    classes=object_classes,
    maps_dir=maps_root,
    video_root=data_root)
# the shared pipelines with this dataset's maps and clip count
train_pipeline, val_pipeline, test_pipeline = [[
    load_maps if step['type'] == 'LoadLikelihoodMaps' else
    dict(step, num_clips=num_clips) if step['type'] == 'SampleFrames' else step
    for step in pipeline
] for pipeline in (_base_.train_pipeline, _base_.val_pipeline,
                   _base_.test_pipeline)]

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        num_classes=174,
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        num_classes=174,
        pipeline=val_pipeline))
test_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_test,
        data_prefix=dict(video=data_root),
        num_classes=174,
        pipeline=test_pipeline))
