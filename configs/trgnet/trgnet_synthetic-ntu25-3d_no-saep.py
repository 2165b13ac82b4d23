# Ablation: no SAEP augmentation (no joint occlusion, no axial rotation).
_base_ = './trgnet_synthetic-ntu25-3d.py'

train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='SegmentationFeatures', mode='disp_rel', num_person=1),
    dict(type='PackSegmentationInputs')
]))
