# VidOR, open-vocabulary (RePro / OV-MMP splits): as vidvrd.py (train on the
# base objects and predicates with ground-truth trajectories), validated on
# all classes with ground-truth trajectories (PredCls, SGCls).
# Data preparation: configs/sage/README.md.
_base_ = ['./vidvrd.py']

data_root = 'data/vidor'
data_prefix = dict(
    video=f'{data_root}/video',
    features=f'{data_root}/features/clip_vit_b16_gt',
    descriptions=f'{data_root}/descriptions/asmv2/clip_vit_b16_gt')
common = dict(dataset='vidor', data_prefix=data_prefix)

train_dataloader = dict(
    dataset=dict(ann_file=f'{data_root}/annotation/training', **common))
val_dataloader = dict(
    dataset=dict(ann_file=f'{data_root}/annotation/validation', **common))
test_dataloader = val_dataloader
