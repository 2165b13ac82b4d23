# SAGE stage 1 on VidVRD: the spatio-temporal relation encoder, object and
# interaction heads learn against the frozen CLIP embeddings of the
# predicate names; the prompt learner is frozen (unused). GT trajectories,
# tested with predicted object classes. Stage 2
# (sage_1xb32-30e_vidvrd-predcls.py) starts from this run's last checkpoint.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

load_from = None
model = dict(
    head=dict(learn_prompts=False),
    frozen_modules=('head.prompt_learner', ),
    test_cfg=dict(object_labels='predict'))
