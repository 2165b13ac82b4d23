# Short name of ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py: the GAP recipe
# of ../ctrgcn_ntu120.py without GAP's text branch (plain CTR-GCN).
_base_ = './ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py'
