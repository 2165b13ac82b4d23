# What the SAGE VidOR configs share besides their dataset piece: the VidVRD
# ones' (sage_vidvrd.py) with VidOR's classes, metric and stage-1
# checkpoint, and 2 spatial + 2 temporal encoder layers.
_base_ = './sage_vidvrd.py'

val_evaluator = [dict(m, dataset='vidor') for m in _base_.val_evaluator]
test_evaluator = val_evaluator

load_from = 'work_dirs/sage_1xb32-30e_vidor_stage1/epoch_30.pth'
model = dict(
    encoder=dict(spatial_layers=2, temporal_layers=2),
    head=dict(
        dataset='vidor',
        prompt_learner=dict(classes='vidor_predicates'),
        object_embeddings=dict(text_bank='label_map:vidor_objects')))
