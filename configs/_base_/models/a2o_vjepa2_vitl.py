# A2O recognizer (Sekii and Sato): likelihood-map adapter + V-JEPA 2 ViT-L/16
# (tubelet 2, RoPE) + V-JEPA 2's attentive probe (3 self-attention blocks +
# 1 cross-attention block, 16 heads, 1 query). Every layer is fine-tuned.
#
# Convert the official weights once (vitl.pt from the facebookresearch/vjepa2
# README) into a transformers directory:
#   python tools/a2o/convert_vjepa2_checkpoint.py vitl.pt \
#       data/a2o/weights/vjepa2-vitl-256
# or point `vjepa2_weights` at a downloaded transformers V-JEPA 2 directory.
vjepa2_weights = 'data/a2o/weights/vjepa2-vitl-256'

model = dict(
    type='A2ORecognizer',
    data_preprocessor=dict(
        type='LikelihoodMapDataPreprocessor',
        # ImageNet statistics on the 0-255 scale, as V-JEPA 2's evaluation
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375]),
    # in_channels: K, one likelihood map per object class (set by each config
    # from its dataset's class list); num_blocks: the paper's Table 10.
    adapter=dict(type='LikelihoodMapAdapter', num_blocks=0,
                 hidden_channels=64),
    backbone=dict(type='VJEPA2', pretrained=vjepa2_weights),
    cls_head=dict(
        type='AttentiveProbeHead',
        num_classes=174,
        in_channels=1024,
        num_heads=16,
        num_self_attention_blocks=3,
        average_clips='prob'))
