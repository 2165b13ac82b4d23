# Table 5, row 4: L_rec (with margin) only.
_base_ = './proda_1xb16-5e_charades-ag_stage1.py'
model = dict(loss_dis=None)
