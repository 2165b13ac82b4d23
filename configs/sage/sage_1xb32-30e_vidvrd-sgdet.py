# SAGE on VidVRD tested as SGDet: detected tracklets (the dataset piece
# vidvrd_sgdet.py), predicted object classes (the model's default). The
# model and its training are the PredCls config's: test its checkpoint.
_base_ = ['_base_/sage_vidvrd.py', '_base_/datasets/vidvrd_sgdet.py']
