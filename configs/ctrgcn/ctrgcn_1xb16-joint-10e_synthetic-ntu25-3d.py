# CTR-GCN at half width (base 32 channels) on the embedded synthetic 3D data:
# the main job's baseline, a few minutes on a CPU.
_base_ = [
    'mmaction::_base_/default_runtime.py',
    '../_base_/datasets/synthetic_ntu25_3d.py',
    '../_base_/schedules/sgd_cosine_cpu.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='CTRGCN',
        graph_cfg=dict(layout='nturgb+d', mode='spatial'),
        base_channels=32),
    cls_head=dict(type='GCNHead', num_classes=12, in_channels=128))

default_hooks = dict(logger=dict(interval=5))
