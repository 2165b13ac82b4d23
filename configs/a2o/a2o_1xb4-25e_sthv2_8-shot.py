# A2O, Something-Something V2, 8-shot: the paper's Table 10 recipe (25 epochs,
# batch 4, lr 1e-4, weight decay 1.4e-5, adapter 1x1 conv).
_base_ = [
    'mmaction::_base_/default_runtime.py',
    '../_base_/models/a2o_vjepa2_vitl.py',
    '../_base_/datasets/a2o_sthv2_16x2x3.py',
    '../_base_/schedules/adamw_cosine_a2o.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    clips_per_view={{_base_.num_clips}},
    adapter=dict(in_channels={{_base_.num_object_classes}}, num_blocks=0),
    cls_head=dict(num_classes=174))
# k-shot training list (k videos per class, seeded) written by the few-shot
# sampler; validation and test use the full lists.
train_dataloader = dict(
    batch_size=4,
    dataset=dict(
        ann_file='data/a2o/few_shot/sthv2_train_8shot_seed0.txt'))
optim_wrapper = dict(optimizer=dict(lr=1e-4, weight_decay=1.4e-5))
train_cfg = dict(max_epochs=25)
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=25,
        eta_min=0,
        by_epoch=True,
        convert_to_iter_based=True)
]
auto_scale_lr = dict(enable=False, base_batch_size=4)
