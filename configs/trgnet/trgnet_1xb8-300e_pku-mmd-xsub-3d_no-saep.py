# Ablation (paper Table VI): no SAEP augmentation.
_base_ = './trgnet_1xb8-300e_pku-mmd-xsub-3d.py'

train_dataloader = dict(dataset=dict(pipeline={{_base_.test_pipeline}}))
