# MultiSports action recognition for A2O (a2o_video_maps.py): one trimmed
# video per action instance (`path label` lists, 66 classes), sampled as our
# SSv2 configs (V-JEPA 2's "16x2x3": 2 segments of 16 frames, 3 test crops).
_base_ = ['./a2o_video_maps.py']

data_root = 'data/multisports/instances'
ann_file_train = 'data/multisports/multisports_train_list_videos.txt'
ann_file_val = 'data/multisports/multisports_val_list_videos.txt'
ann_file_test = 'data/multisports/multisports_val_list_videos.txt'
# Likelihood maps precomputed per video and class set
# (tools/a2o/extract_likelihood_maps.py --out-root). The classes the paper
# reports after ICRL on MultiSports (its Listing 1); ICRL (tools/a2o/icrl.py)
# replaces them.
maps_root = 'data/a2o/maps/multisports'
object_classes = [
    'person', 'ball', 'net', 'hoop', 'goalpost', 'arm', 'leg', 'foot',
    'torso', 'forearm', 'head', 'floor', 'court', 'grass', 'rim'
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
        num_classes=66,
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root),
        num_classes=66,
        pipeline=val_pipeline))
test_dataloader = dict(
    dataset=dict(
        ann_file=ann_file_test,
        data_prefix=dict(video=data_root),
        num_classes=66,
        pipeline=test_pipeline))
