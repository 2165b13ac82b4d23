# Table 5, row 3: L_dis (with margin) only.
_base_ = './proda_1xb16-5e_charades-ag_stage1.py'
model = dict(loss_rec=None)
