# SAGE on VidVRD tested as SGCls: GT trajectories, predicted object classes.
# The model and its training are the PredCls config's (test its checkpoint).
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

model = dict(test_cfg=dict(object_labels='predict'))
