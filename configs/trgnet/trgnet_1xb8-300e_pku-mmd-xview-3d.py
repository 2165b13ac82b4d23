# TRG-Net on PKU-MMD (phase 1), cross-view (the official list; the left
# camera, -L, is the test view).
_base_ = './trgnet_1xb8-300e_pku-mmd-xsub-3d.py'

train_dataloader = dict(dataset=dict(split='xview_train'))
val_dataloader = dict(dataset=dict(split='xview_test'))
test_dataloader = val_dataloader
