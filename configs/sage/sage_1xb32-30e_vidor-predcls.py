# SAGE stage 2 on VidOR, tested as PredCls (GT trajectories and object
# classes): the visual side of stage 1 is frozen; the class-aware prompts
# (context tokens + TKE) learn with the relation and consistency losses.
# First train sage_1xb32-30e_vidor_stage1.py.
_base_ = ['_base_/sage_vidor.py', '_base_/datasets/vidor.py']

model = dict(test_cfg=dict(object_labels='given'))
