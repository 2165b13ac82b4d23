from typing import Tuple

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmaction_ext.models.utils.scene_graph_ops import (check_graph,
                                                       key_padding, mlp)

STREAMS = ('st', 'ts', 'ss', 'tt')


class _AxisAttention(nn.Module):
    """A self-attention encoder block over frames or over slots."""

    def __init__(self, dim: int, heads: int, ffn: int, dropout: float,
                 axis: str) -> None:
        super().__init__()
        self.axis = axis
        self.block = nn.TransformerEncoderLayer(
            dim, heads, ffn, dropout, activation='gelu', batch_first=True)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        b, n, m, d = x.shape
        if self.axis == 'spatial':  # attend over the M slots of a frame
            seq, valid = x.reshape(b * n, m, d), mask.reshape(b * n, m)
        else:  # attend over the N frames of a slot
            seq = x.transpose(1, 2).reshape(b * m, n, d)
            valid = mask.transpose(1, 2).reshape(b * m, n)
        out = self.block(seq, src_key_padding_mask=key_padding(valid))
        out = out * valid.unsqueeze(-1)
        if self.axis == 'spatial':
            return out.reshape(b, n, m, d)
        return out.reshape(b, m, n, d).transpose(1, 2)


@MODELS.register_module()
class DualAIEncoder(BaseModule):
    """Video encoder of ProDA over scene-graph node features.

    After Dual-AI (Han et al., CVPR 2022): a spatial-then-temporal (ST) and
    a temporal-then-spatial (TS) stream of standard self-attention encoder
    blocks, plus ProDA's extra spatial-spatial (SS) and temporal-temporal
    (TT) streams (ProDA, Appendix A). Spatial attention runs over the M
    slots of a frame, temporal attention over the N frames of a slot. The
    streams are concatenated and fused by an MLP, then a residual FFN gives
    F_o. Each stream has its own weights.

    Input (B, N, M, in_channels) with node mask (B, N, M); output
    (B, N, M, embed_dims), zero at padded nodes.

    Args:
        in_channels (int): D of the node features (512 for CLIP-B/16).
        embed_dims (int): Model width. Defaults to 256.
        num_heads (int): Attention heads. Defaults to 8.
        ffn_dims (int): Hidden width of the attention blocks' FFN.
            Defaults to 1024.
        depth (int): Pairs of blocks per stream (ST = S,T repeated).
            Defaults to 1.
        streams (tuple[str]): Subset of ``('st', 'ts', 'ss', 'tt')``;
            ``('st', 'ts')`` is plain Dual-AI. Defaults to all four.
        max_frames (int): Length of the learned frame position embedding.
            Defaults to 64.
        dropout (float): Dropout. Defaults to 0.1.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 embed_dims: int = 256,
                 num_heads: int = 8,
                 ffn_dims: int = 1024,
                 depth: int = 1,
                 streams: Tuple[str, ...] = STREAMS,
                 max_frames: int = 64,
                 dropout: float = 0.1,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        unknown = set(streams) - set(STREAMS)
        if unknown or not streams:
            raise ValueError(f'streams must be a non-empty subset of '
                             f'{STREAMS}, got {streams}')
        self.embed_dims = embed_dims
        self.streams = tuple(streams)
        self.input_proj = nn.Linear(in_channels, embed_dims)
        self.frame_pos = nn.Parameter(torch.zeros(max_frames, embed_dims))
        nn.init.trunc_normal_(self.frame_pos, std=.02)
        axes = dict(s='spatial', t='temporal')
        self.paths = nn.ModuleDict({
            name:
            nn.Sequential(*[
                _AxisAttention(embed_dims, num_heads, ffn_dims, dropout,
                               axes[a]) for _ in range(depth) for a in name
            ])
            for name in self.streams
        })
        width = embed_dims * len(self.streams)
        self.fusion = mlp(width, embed_dims, embed_dims, dropout)
        self.ffn = mlp(embed_dims, ffn_dims, embed_dims, dropout)
        self.norm = nn.LayerNorm(embed_dims)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        check_graph(x, mask)
        if x.shape[1] > len(self.frame_pos):
            raise ValueError(f'{x.shape[1]} frames but max_frames is '
                             f'{len(self.frame_pos)}')
        valid = mask.unsqueeze(-1).to(x.dtype)
        x = (self.input_proj(x) + self.frame_pos[:x.shape[1], None]) * valid
        outs = []
        for name in self.streams:
            out = x
            for block in self.paths[name]:
                out = block(out, mask)
            outs.append(out)
        fused = self.fusion(torch.cat(outs, -1))
        return self.norm(fused + self.ffn(fused)) * valid
