# CTR-GCN at half width on the embedded synthetic COCO-17 2D data.
_base_ = [
    'mmaction::_base_/default_runtime.py',
    '../_base_/datasets/synthetic_coco17_2d.py',
    '../_base_/schedules/sgd_cosine_cpu.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    type='RecognizerGCN',
    backbone=dict(
        type='CTRGCN',
        graph_cfg=dict(layout='coco', mode='spatial'),
        base_channels=32),
    cls_head=dict(type='GCNHead', num_classes=12, in_channels=128))

default_hooks = dict(logger=dict(interval=5))
