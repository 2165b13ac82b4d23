# Table 5, row 2: L_rec and L_dis without margins (m1 = m2 = 0).
_base_ = './proda_1xb16-5e_charades-ag_stage1.py'
model = dict(loss_dis=dict(margin=0.), loss_rec=dict(margin=0.))
