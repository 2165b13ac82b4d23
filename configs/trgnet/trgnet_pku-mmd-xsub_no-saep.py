# Ablation (paper Table VI): no SAEP augmentation.
_base_ = './trgnet_pku-mmd-xsub.py'

train_dataloader = dict(dataset=dict(pipeline={{_base_.test_pipeline}}))
