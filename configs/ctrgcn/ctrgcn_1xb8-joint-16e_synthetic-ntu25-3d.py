# CTR-GCN at quarter width (base 16 channels) on the embedded synthetic 3D
# data: the demo's baseline, about 3 minutes on a 2-core CPU.
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
        base_channels=16),
    cls_head=dict(type='GCNHead', num_classes=12, in_channels=64))

train_dataloader = dict(batch_size=8)
default_hooks = dict(
    logger=dict(interval=12), checkpoint=dict(interval=4, max_keep_ckpts=1))
