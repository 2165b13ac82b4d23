# A2O, MultiSports, 8-shot: the paper's Table 10 recipe (20 epochs,
# batch 8, lr 7.6e-5, weight decay 6.7e-6, adapter
# {1x1 conv + ReLU} x 3 -> 1x1 conv).
_base_ = [
    'mmaction::_base_/default_runtime.py',
    '../_base_/models/a2o_vjepa2_vitl.py',
    '../_base_/datasets/a2o_multisports_16x2x3.py',
    '../_base_/schedules/adamw_cosine_a2o.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    clips_per_view={{_base_.num_clips}},
    adapter=dict(in_channels={{_base_.num_object_classes}}, num_blocks=3),
    cls_head=dict(num_classes=66))
# k-shot training list (k videos per class, seeded) written by the few-shot
# sampler; validation and test use the full lists.
train_dataloader = dict(
    batch_size=8,
    dataset=dict(
        ann_file='data/a2o/few_shot/multisports_train_8shot_seed0.txt'))
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
