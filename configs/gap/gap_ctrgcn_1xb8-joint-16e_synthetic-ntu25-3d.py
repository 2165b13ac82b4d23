# GAP on the embedded synthetic 3D data: the quarter-width CTR-GCN of
# ../ctrgcn/ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d.py plus the training-only
# multi-part contrastive head, with the offline MiniLM text encoder
# (python tools/text/link_minilm.py) fine-tuned as in the official code.
_base_ = '../ctrgcn/ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d.py'

model = dict(
    type='GAPRecognizer',
    gap_head=dict(
        type='GAPHead',
        in_channels=64,
        text_bank='synthetic12',
        partition='ntu_joint_4',
        text_encoder=dict(
            type='HFTextEncoder',
            model_path='data/text_models/all-MiniLM-L6-v2',
            pooling='mean'),
        loss_weight=0.8))
