# Kinetics-400 videos (MMAction2's layout: tools/data/kinetics) for A2O
# (a2o_video_maps.py), sampled as in V-JEPA 2's K400 evaluation ("16x8x3"):
# 8 segments of 16 frames per video, 3 test crops.
_base_ = ['./a2o_video_maps.py']

data_root = 'data/kinetics400/videos_train'
data_root_val = 'data/kinetics400/videos_val'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'
ann_file_val = 'data/kinetics400/kinetics400_val_list_videos.txt'
ann_file_test = 'data/kinetics400/kinetics400_val_list_videos.txt'
# Likelihood maps precomputed per video and class set
# (tools/a2o/extract_likelihood_maps.py --out-root). The paper lists no
# object classes for this dataset: this is our starting set; ICRL
# (tools/a2o/icrl.py) replaces it.
maps_root = 'data/a2o/maps/kinetics400'
object_classes = [
    'person', 'hand', 'face', 'arm', 'leg', 'ball', 'tool', 'instrument',
    'vehicle', 'animal', 'water', 'floor', 'sky'
]
num_object_classes = len(object_classes)  # K map channels
# RGB + maps: the backbone input of the no-compression ablation
num_input_channels = 3 + num_object_classes
num_clips = 8

load_maps = dict(
    type='LoadLikelihoodMaps',
    classes=object_classes,
    maps_dir=maps_root,
    video_root=data_root)
# validation videos live in their own folder: their maps are keyed by the
# path relative to it
load_maps_val = dict(load_maps, video_root=data_root_val)
# the shared pipelines with this dataset's maps and clip count
train_pipeline, val_pipeline, test_pipeline = [[
    maps if step['type'] == 'LoadLikelihoodMaps' else
    dict(step, num_clips=num_clips) if step['type'] == 'SampleFrames' else step
    for step in pipeline
] for pipeline, maps in ((_base_.train_pipeline, load_maps),
                         (_base_.val_pipeline, load_maps_val),
                         (_base_.test_pipeline, load_maps_val))]

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        num_classes=400,
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root_val),
        num_classes=400,
        pipeline=val_pipeline))
test_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_test,
        data_prefix=dict(video=data_root_val),
        num_classes=400,
        pipeline=test_pipeline))
