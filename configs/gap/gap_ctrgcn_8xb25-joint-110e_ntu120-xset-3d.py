# GAP + CTR-GCN, NTU RGB+D 120 X-Set, joint stream, the official recipe of
# gap_ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py.
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/gap_ctrgcn.py',
    '../_base_/datasets/ntu120_xset_3d_official_gap.py',
    '../_base_/schedules/sgd_110e_warmup5_official_gap.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=2), logger=dict(interval=50))
