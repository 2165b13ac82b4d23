# A2O, MultiSports, 8-shot: the paper's Table 10 recipe (20 epochs,
# batch 8, lr 7.6e-5, weight decay 6.7e-6, adapter
# {1x1 conv + ReLU} x 3 -> 1x1 conv), otherwise as a2o_1xb8-20e_multisports.py.
_base_ = './a2o_1xb8-20e_multisports.py'

model = dict(adapter=dict(num_blocks=3))
# k-shot training list (k videos per class, seeded) written by the few-shot
# sampler; validation and test use the full lists.
train_dataloader = dict(
    dataset=dict(
        ann_file='data/a2o/few_shot/multisports_train_8shot_seed0.txt'))
