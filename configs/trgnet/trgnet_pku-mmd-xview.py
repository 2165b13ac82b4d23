# TRG-Net on PKU-MMD (phase 1), cross-view (the official list; the left
# camera, -L, is the test view).
_base_ = './trgnet_pku-mmd-xsub.py'

train_dataloader = dict(dataset=dict(split='xview_train'))
val_dataloader = dict(dataset=dict(split='xview_test'))
test_dataloader = val_dataloader
