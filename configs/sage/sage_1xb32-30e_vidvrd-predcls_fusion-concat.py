# SAGE ablation, Fig. 3: descriptions fused by 'concat' instead of cross-attention;
# its stage 1 is sage_1xb32-30e_vidvrd_stage1-fusion-concat.py.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'

load_from = 'work_dirs/sage_1xb32-30e_vidvrd_stage1-fusion-concat/epoch_30.pth'
model = dict(encoder=dict(fusion='concat'))
