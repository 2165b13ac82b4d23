from typing import Tuple

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


@MODELS.register_module()
class GateFusion(BaseModule):
    """Net_2 of ProDA's Eq. (6): ``delta * F_u + (1 - delta) * F_s``.

    ``delta = sigmoid(MLP([F_u, F_s]))`` per node, as the official
    ``GateFusion`` (Linear 2D -> D, GELU, Dropout, Linear D -> D/4,
    LayerNorm, GELU, Dropout, Linear -> 1).

    Args:
        embed_dims (int): D.
        dropout (float): Defaults to 0.1.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 embed_dims: int,
                 dropout: float = 0.1,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        hidden = max(embed_dims // 4, 1)
        self.gate = nn.Sequential(
            nn.Linear(2 * embed_dims, embed_dims), nn.GELU(),
            nn.Dropout(dropout), nn.Linear(embed_dims, hidden),
            nn.LayerNorm(hidden), nn.GELU(), nn.Dropout(dropout),
            nn.Linear(hidden, 1))

    def forward(self, f_u: Tensor, f_s: Tensor) -> Tuple[Tensor, Tensor]:
        """Fused features (same shape as the inputs) and delta (..., 1)."""
        delta = self.gate(torch.cat([f_u, f_s], -1)).sigmoid()
        return delta * f_u + (1 - delta) * f_s, delta
