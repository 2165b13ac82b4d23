# A2O, MultiSports, the no-compression ablation of the paper's Sec. 4.5.3:
# a2o_1xb8-20e_multisports.py (Table 10: 20 epochs, batch 8, lr 7.6e-5,
# weight decay 6.7e-6) with no adapter layers; the K likelihood maps enter
# V-JEPA 2's patch embedding as extra input channels whose weights start at
# zero.
_base_ = './a2o_1xb8-20e_multisports.py'

model = dict(
    adapter=dict(fuse='concat'),
    backbone=dict(in_channels={{_base_.num_input_channels}}))
