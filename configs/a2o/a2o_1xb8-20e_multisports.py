# A2O, MultiSports, full-shot: the paper's Table 10 recipe (20 epochs,
# batch 8, lr 7.6e-5, weight decay 6.7e-6, adapter 1x1 conv).
_base_ = [
    'mmaction::_base_/default_runtime.py',
    '../_base_/models/a2o_vjepa2_vitl.py',
    '../_base_/datasets/a2o_multisports_16x2x3.py',
    '../_base_/schedules/adamw_cosine_a2o.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    clips_per_view={{_base_.num_clips}},
    adapter=dict(in_channels={{_base_.num_object_classes}}, num_blocks=0),
    cls_head=dict(num_classes=66))
train_dataloader = dict(batch_size=8)
optim_wrapper = dict(optimizer=dict(lr=7.6e-5, weight_decay=6.7e-6))
train_cfg = dict(max_epochs=20)
param_scheduler = [dict(_base_.param_scheduler[0], T_max=20)]
auto_scale_lr = dict(enable=False, base_batch_size=8)
