# SAGE ablation, Table 6 row 1 (no adapter), as we read the paper's
# undefined adapters (README, "Adapters"): the default PredCls config, whose
# model has neither the visual nor the text adapter (encoder.visual_adapter
# and head.text_adapter unset). Its stage 1 is the default
# sage_1xb32-30e_vidvrd_stage1.py.
_base_ = './sage_1xb32-30e_vidvrd-predcls.py'
