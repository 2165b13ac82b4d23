from typing import Optional

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import nn


@MODELS.register_module()
class CLIPAdapter(BaseModule):
    """A feature adapter blended with the feature it adapts (CLIP-Adapter).

    Gao et al., "CLIP-Adapter: Better Vision-Language Models with Feature
    Adapters" (IJCV 2023, arXiv:2110.04544; github.com/gaopengcuhk/
    CLIP-Adapter): a bottleneck ``A(x) = ReLU(W_2 ReLU(W_1 x))`` without
    biases, ``W_1``: ``in_dims -> in_dims // reduction``, mixed with the
    input by the residual ratio:

        ``y = ratio * A(x) + (1 - ratio) * x``

    ``ratio=0`` is the identity. Without biases a zero feature stays zero,
    so zero-padded frames / pairs stay padding. Applied to the last axis;
    any leading shape.

    Args:
        in_dims (int): Feature size.
        reduction (int): Bottleneck reduction. Defaults to 4 (the paper's).
        ratio (float): Residual ratio ``alpha`` in [0, 1]. Defaults to 0.2
            (the paper's visual adapter).
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 in_dims: int,
                 reduction: int = 4,
                 ratio: float = 0.2,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not 0 <= ratio <= 1:
            raise ValueError(f'ratio must be in [0, 1], got {ratio}')
        if reduction < 1 or in_dims // reduction < 1:
            raise ValueError(f'reduction {reduction} does not fit in_dims '
                             f'{in_dims} (bottleneck in_dims // reduction '
                             'must be at least 1)')
        self.in_dims, self.ratio = in_dims, ratio
        hidden = in_dims // reduction
        self.fc = nn.Sequential(
            nn.Linear(in_dims, hidden, bias=False), nn.ReLU(inplace=True),
            nn.Linear(hidden, in_dims, bias=False), nn.ReLU(inplace=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., in_dims) -> (..., in_dims)."""
        if x.size(-1) != self.in_dims:
            raise ValueError(f'{type(self).__name__} expects features of '
                             f'size {self.in_dims}, got {tuple(x.shape)}')
        return self.ratio * self.fc(x) + (1 - self.ratio) * x
