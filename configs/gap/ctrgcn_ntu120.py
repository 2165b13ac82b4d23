# Short name of gap_ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py: GAP + CTR-GCN,
# NTU RGB+D 120 X-Sub, joint stream, the official recipe for 8 GPUs x 25.
_base_ = './gap_ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py'
