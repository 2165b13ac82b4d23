# GAP + CTR-GCN, NTU RGB+D 60 X-Sub, joint stream, the official recipe of
# gap_ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py.
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/gap_ctrgcn.py',
    '../_base_/datasets/ntu60_xsub_3d_official_gap.py',
    '../_base_/schedules/sgd_110e_warmup5_official_gap.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    cls_head=dict(
        num_classes=60,
        init_cfg=dict(type='Normal', layer='Linear', std=(2 / 60)**0.5)))

default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=2), logger=dict(interval=50))
