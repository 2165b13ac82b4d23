# A2O, MultiSports, the no-compression ablation of the paper's Sec. 4.5.3:
# a2o_1xb8-20e_multisports.py (Table 10: 20 epochs, batch 8, lr 7.6e-5,
# weight decay 6.7e-6) with no adapter layers; the K likelihood maps enter
# V-JEPA 2's patch embedding as extra input channels whose weights start at
# zero.
_base_ = [
    'mmaction::_base_/default_runtime.py',
    '../_base_/models/a2o_vjepa2_vitl.py',
    '../_base_/datasets/a2o_multisports_16x2x3.py',
    '../_base_/schedules/adamw_cosine_a2o.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    clips_per_view={{_base_.num_clips}},
    adapter=dict(in_channels={{_base_.num_object_classes}}, fuse='concat'),
    backbone=dict(in_channels={{_base_.num_input_channels}}),
    cls_head=dict(num_classes=66))
train_dataloader = dict(batch_size=8)
optim_wrapper = dict(optimizer=dict(lr=7.6e-5, weight_decay=6.7e-6))
train_cfg = dict(max_epochs=20)
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=20,
        eta_min=0,
        by_epoch=True,
        convert_to_iter_based=True)
]
auto_scale_lr = dict(enable=False, base_batch_size=8)
