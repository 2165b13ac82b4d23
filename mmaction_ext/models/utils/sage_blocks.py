"""Building blocks of SAGE's spatio-temporal relation encoder."""
from typing import Optional

import torch
import torch.nn as nn

FUSIONS = ('cross_attention', 'sum', 'concat', 'gated')


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int):
    """Mean of ``x`` over ``dim`` where ``mask`` (x's shape up to ``dim``,
    no feature axis) is True."""
    weight = mask.to(x.dtype).unsqueeze(-1)
    return (x * weight).sum(dim) / weight.sum(dim).clamp(min=1)


def transformer_stack(dims: int, num_heads: int, num_layers: int,
                      dropout: float, ffn_ratio: int) -> nn.Module:
    """``num_layers`` post-norm transformer encoder layers (batch first).

    Zero layers give a per-token Linear + ReLU instead, SAGE's Table 3
    "w/o Spa" / "w/o Tem" ablations ("linear layers to keep a similar
    amount of parameters").
    """
    if num_layers == 0:
        return TokenwiseLinear(dims)
    layer = nn.TransformerEncoderLayer(
        dims, num_heads, dims * ffn_ratio, dropout, batch_first=True)
    return nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)


class TokenwiseLinear(nn.Module):
    """Linear + ReLU per token; accepts (and ignores) attention masks."""

    def __init__(self, dims: int) -> None:
        super().__init__()
        self.linear = nn.Linear(dims, dims)

    def forward(self, x: torch.Tensor, src_key_padding_mask=None):
        return torch.relu(self.linear(x))


class SemanticEnhancement(nn.Module):
    """The semantic teacher's descriptions refine the visual streams.

    SAGE Eq. 4-5: the description tokens and the visual tokens are each
    refined by self-attention (a transformer layer), then the refined text
    tokens query the refined visual tokens of the pair, and the attended
    feature of each perspective is added to the (unrefined) visual stream
    of that perspective at every frame.

    The baselines of SAGE's Fig. 3 (``fusion``) add the description of each
    perspective to its stream at every frame without attention: ``'sum'``
    adds it, ``'concat'`` projects the concatenation back to ``dims``,
    ``'gated'`` adds it weighted by a learned sigmoid gate of both.

    Args:
        dims (int): Feature size.
        num_heads (int): Attention heads.
        dropout (float): Dropout of the attention blocks.
        ffn_ratio (int): Feed-forward width / ``dims``.
        fusion (str): ``'cross_attention'`` (SAGE), ``'sum'``,
            ``'concat'`` or ``'gated'``. Defaults to ``'cross_attention'``.
    """

    def __init__(self,
                 dims: int,
                 num_heads: int,
                 dropout: float,
                 ffn_ratio: int,
                 fusion: str = 'cross_attention') -> None:
        super().__init__()
        if fusion not in FUSIONS:
            raise ValueError(f'fusion must be one of {FUSIONS}, got '
                             f'{fusion!r}')
        self.fusion = fusion
        if fusion == 'concat':
            self.merge = nn.Linear(2 * dims, dims)
        elif fusion == 'gated':
            self.gate = nn.Linear(2 * dims, dims)
        if fusion != 'cross_attention':
            return
        self.text_refine = transformer_stack(dims, num_heads, 1, dropout,
                                             ffn_ratio)
        self.visual_refine = transformer_stack(dims, num_heads, 1, dropout,
                                               ffn_ratio)
        self.cross_attention = nn.MultiheadAttention(
            dims, num_heads, dropout=dropout, batch_first=True)

    def _fuse_without_attention(self, visual, text):
        text = text[:, None].expand_as(visual)
        if self.fusion == 'sum':
            return visual + text
        both = torch.cat([visual, text], dim=-1)
        if self.fusion == 'concat':
            return self.merge(both)
        return visual + torch.sigmoid(self.gate(both)) * text

    def forward(self, visual: torch.Tensor, text: torch.Tensor,
                frame_mask: torch.Tensor) -> torch.Tensor:
        """Enhanced visual streams.

        Args:
            visual (torch.Tensor): (N, T, S, C) streams per frame.
            text (torch.Tensor): (N, S, C) one description per stream.
            frame_mask (torch.Tensor): (N, T) valid frames.

        Returns:
            torch.Tensor: (N, T, S, C), ``visual + CrossAttn(text', vis')``.
        """
        if self.fusion != 'cross_attention':
            return self._fuse_without_attention(visual, text)
        num, frames, streams, dims = visual.shape
        refined = self.visual_refine(visual.reshape(-1, streams, dims))
        keys = refined.view(num, frames * streams, dims)
        padding = ~frame_mask[:, :, None].expand(-1, -1, streams).reshape(
            num, -1)
        attended = self.cross_attention(
            self.text_refine(text),
            keys,
            keys,
            key_padding_mask=padding,
            need_weights=False)[0]
        return visual + attended[:, None]


def check_features(name: str, x: Optional[torch.Tensor], shape: tuple):
    """Raise unless ``x`` has ``shape`` (None entries match any size)."""
    if x is None:
        raise ValueError(f'SAGE input {name!r} is missing')
    if x.dim() != len(shape) or any(want is not None and got != want
                                    for got, want in zip(x.shape, shape)):
        raise ValueError(f'SAGE input {name!r} has shape {tuple(x.shape)}, '
                         f'expected {shape} (None: any)')
