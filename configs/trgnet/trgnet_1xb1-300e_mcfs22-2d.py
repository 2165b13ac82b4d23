# TRG-Net on MCFS-22 (the coarse 22-class labels of the MCFS-130 videos).
_base_ = './trgnet_1xb1-300e_mcfs130-2d.py'

model = dict(action_texts=dict(text_bank='mcfs22'))

ann_file = 'data/skeleton_segmentation/mcfs22.pkl'
train_dataloader = dict(dataset=dict(ann_file=ann_file, num_classes=22))
val_dataloader = dict(dataset=dict(ann_file=ann_file, num_classes=22))
test_dataloader = val_dataloader
