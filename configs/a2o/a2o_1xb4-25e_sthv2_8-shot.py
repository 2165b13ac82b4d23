# A2O, Something-Something V2, 8-shot: the paper's Table 10 recipe (25 epochs,
# batch 4, lr 1e-4, weight decay 1.4e-5, adapter 1x1 conv), otherwise as
# a2o_1xb4-5e_sthv2.py.
_base_ = './a2o_1xb4-5e_sthv2.py'

model = dict(adapter=dict(num_blocks=0))
# k-shot training list (k videos per class, seeded) written by the few-shot
# sampler; validation and test use the full lists.
train_dataloader = dict(
    dataset=dict(ann_file='data/a2o/few_shot/sthv2_train_8shot_seed0.txt'))
optim_wrapper = dict(optimizer=dict(lr=1e-4))
train_cfg = dict(max_epochs=25)
param_scheduler = [dict(_base_.param_scheduler[0], T_max=25)]
