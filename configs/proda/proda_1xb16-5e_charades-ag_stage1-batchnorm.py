# Table 4 ablation: FrameBatchNorm after each VGPNN layer instead of VGNorm.
_base_ = './proda_1xb16-5e_charades-ag_stage1.py'
model = dict(
    vgpnn=dict(
        norm_cfg=dict(
            _delete_=True,
            type='FrameBatchNorm',
            num_frames={{_base_.num_frames}})))
