from typing import Optional

from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


@MODELS.register_module()
class HHIPairEncoderLayer(BaseModule):
    """Post-norm self-attention layer over the person pairs of a keyframe.

    ProDA's SportsHHI code (``TransformerEncoderLayer`` in ``hhi_utils.py``)
    normalises only after attention and leaves the FFN residual without a
    LayerNorm::

        x = LN(x + Drop(MHA(x)))
        x = x + Drop(W2 Drop(ReLU(W1 x)))        # ffn_norm=False (official)
        x = LN2(x + Drop(W2 Drop(ReLU(W1 x))))   # ffn_norm=True (standard)

    In ProDA both branches (specified and unspecified prompts) run through
    the same instance: the weights are shared, only the prompts differ.

    Args:
        embed_dims (int): D. Defaults to 1792.
        num_heads (int): Attention heads. Defaults to 8.
        feedforward_channels (int): FFN hidden size. Defaults to 2048.
        dropout (float): Dropout in attention, FFN and residuals.
            Defaults to 0.1.
        ffn_norm (bool): LayerNorm after the FFN residual. Defaults to False
            (as the official code).
        init_cfg (dict, optional): Initialisation config.

    Shapes:
        x (B, L, D), key_padding_mask (B, L) bool, True at padding ->
        (B, L, D).
    """

    def __init__(self,
                 embed_dims: int = 1792,
                 num_heads: int = 8,
                 feedforward_channels: int = 2048,
                 dropout: float = 0.1,
                 ffn_norm: bool = False,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.attn = nn.MultiheadAttention(
            embed_dims, num_heads, dropout=dropout, batch_first=True)
        self.attn_drop = nn.Dropout(dropout)
        self.attn_norm = nn.LayerNorm(embed_dims)
        self.ffn = nn.Sequential(
            nn.Linear(embed_dims, feedforward_channels), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(feedforward_channels, embed_dims),
            nn.Dropout(dropout))
        self.ffn_norm = nn.LayerNorm(embed_dims) if ffn_norm else None

    def forward(self,
                x: Tensor,
                key_padding_mask: Optional[Tensor] = None) -> Tensor:
        attended = self.attn(
            x, x, x, key_padding_mask=key_padding_mask, need_weights=False)[0]
        x = self.attn_norm(x + self.attn_drop(attended))
        x = x + self.ffn(x)
        if self.ffn_norm is not None:
            x = self.ffn_norm(x)
        return x
