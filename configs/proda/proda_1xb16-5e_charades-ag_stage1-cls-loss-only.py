# Table 5, row 1: ProDA with the action classification loss only.
_base_ = './proda_1xb16-5e_charades-ag_stage1.py'
model = dict(loss_dis=None, loss_rec=None)
