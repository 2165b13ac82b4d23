# Ablation (paper Table VI): SAEP with joint occlusion only (35 % of the
# samples), no rotation.
_base_ = './trgnet_1xb8-300e_pku-mmd-xsub-3d.py'

train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='SegmentationFeatures', mode='disp_rel', num_person=2),
        dict(type='SAEP', occlusion_prob=0.35, rotation_prob=0.),
        dict(type='PackSegmentationInputs')
    ]))
