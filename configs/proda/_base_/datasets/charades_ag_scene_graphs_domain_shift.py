# ProDA's domain-shift setting (Appendix D.1, Table 10, after LaIAR):
# scenario 1 of 5. Our reading of the protocol: train on the Charades
# training videos of the scenario's training scenes, test on the test videos
# of its (disjoint) test scenes. For scenario k, inherit this file and set
# `scenes='scenario<k>_train'` / `'scenario<k>_test'` in the datasets.
_base_ = './charades_ag_scene_graphs.py'

train_dataloader = dict(dataset=dict(scenes='scenario1_train'))
val_dataloader = dict(dataset=dict(scenes='scenario1_test'))
test_dataloader = val_dataloader
