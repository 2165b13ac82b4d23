# A2O, Something-Something V2, full-shot: the paper's Table 10 recipe
# (5 epochs, batch 4, lr 2e-5, weight decay 1.4e-5, adapter
# {1x1 conv + ReLU} x 4 -> 1x1 conv).
_base_ = [
    'mmaction::_base_/default_runtime.py',
    '../_base_/models/a2o_vjepa2_vitl.py',
    '../_base_/datasets/a2o_sthv2_16x2x3.py',
    '../_base_/schedules/adamw_cosine_a2o.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    clips_per_view={{_base_.num_clips}},
    adapter=dict(in_channels={{_base_.num_object_classes}}, num_blocks=4),
    cls_head=dict(num_classes=174))
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(optimizer=dict(lr=2e-5, weight_decay=1.4e-5))
train_cfg = dict(max_epochs=5)
param_scheduler = [dict(_base_.param_scheduler[0], T_max=5)]
auto_scale_lr = dict(enable=False, base_batch_size=4)
