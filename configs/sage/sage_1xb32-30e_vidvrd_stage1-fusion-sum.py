# Stage 1 of SAGE's Fig. 3 ablation: descriptions fused by 'sum'.
_base_ = './sage_1xb32-30e_vidvrd_stage1.py'

model = dict(encoder=dict(fusion='sum'))
