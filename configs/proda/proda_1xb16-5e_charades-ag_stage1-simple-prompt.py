# Table 3 ablation: SimplePrompt (f + W v) instead of the DPM.
_base_ = './proda_1xb16-5e_charades-ag_stage1.py'
model = dict(prompt=dict(_delete_=True, type='SimplePrompt'))
