# SAGE on VidOR tested as SGDet: detected tracklets, predicted object
# classes. The model and its training are the PredCls config's.
_base_ = './sage_1xb32-30e_vidor-predcls.py'

model = dict(test_cfg=dict(object_labels='predict'))
test_dataloader = dict(dataset=dict(trajectories='detected'))
