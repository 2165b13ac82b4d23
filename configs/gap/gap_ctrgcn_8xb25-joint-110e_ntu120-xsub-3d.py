# GAP + CTR-GCN, NTU RGB+D 120 X-Sub, joint stream, the official recipe for
# 8 GPUs x 25 (110 epochs, 64-frame clips), official defaults throughout
# (../_base_/models/gap_ctrgcn.py). Short name: ctrgcn_ntu120.py,
# `tools/dist_train.sh configs/gap/ctrgcn_ntu120.py 8 --amp`.
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/gap_ctrgcn.py',
    '../_base_/datasets/ntu120_xsub_3d_official_gap.py',
    '../_base_/schedules/sgd_110e_warmup5_official_gap.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=2), logger=dict(interval=50))
