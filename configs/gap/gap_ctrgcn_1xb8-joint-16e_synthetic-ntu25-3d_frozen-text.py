# GAP on the embedded synthetic 3D data with the MiniLM text encoder frozen
# and its embeddings cached (each distinct prompt encoded once per run): the
# text branch then costs almost nothing per step.
_base_ = './gap_ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d.py'

model = dict(gap_head=dict(text_encoder=dict(frozen=True)))
