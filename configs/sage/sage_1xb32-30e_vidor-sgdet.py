# SAGE on VidOR tested as SGDet: detected tracklets (the dataset piece
# vidor_sgdet.py), predicted object classes (the model's default). The
# model and its training are the PredCls config's: test its checkpoint.
_base_ = ['_base_/sage_vidor.py', '_base_/datasets/vidor_sgdet.py']
