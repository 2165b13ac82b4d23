# SAGE stage 1 on the embedded synthetic data with the semantic teacher's
# encoded descriptions (written by tools/sage/describe_pairs.py --encode
# data/sage_synthetic/clip-tiny; tools/run_demo.py asks a loopback scripted
# VLM for them).
_base_ = './sage_1xb4-6e_synthetic-vidvrd_stage1.py'

train_dataloader = dict(
    dataset=dict(pipeline={{_base_.pipeline_with_descriptions}}))
val_dataloader = dict(
    dataset=dict(pipeline={{_base_.pipeline_with_descriptions}}))
test_dataloader = val_dataloader
