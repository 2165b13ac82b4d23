# ProDA's domain-shift setting (App. D.1, Tables 10-11), scenario 1: stage
# 1 on the training scenes' videos, evaluated on the disjoint test scenes.
# Other scenarios: scenes='scenario<k>_train' / 'scenario<k>_test'. Stage 2
# as proda_1xb16-5e_charades-ag_stage2.py with the same scene overrides.
_base_ = './proda_1xb16-5e_charades-ag_stage1.py'
train_dataloader = dict(dataset=dict(scenes='scenario1_train'))
val_dataloader = dict(dataset=dict(scenes='scenario1_test'))
test_dataloader = val_dataloader
