from typing import Optional

import torch
import torch.nn as nn


class LinearAttention(nn.Module):
    """Multi-head linear attention with a sigmoid feature map (TRG-Net).

    ``softmax(q k^T) v`` is replaced by ``phi(q) (sum_s phi(k_s) v_s^T) /
    (phi(q) . sum_s phi(k_s))`` with ``phi = sigmoid``, so time and memory
    grow linearly with the sequence length T instead of quadratically.

    Args:
        embed_dims (int): Channels C. Defaults to 64.
        num_heads (int): Heads; C must divide by it. Defaults to 4.
        dropout (float): Dropout after the output projection.
            Defaults to 0.05.
        mask_keys (bool): Leave padded frames out of the key/value sums. The
            official code keeps them (False), which lets padding influence
            real frames; True makes a sequence's output independent of how
            much it was padded. Defaults to False.

    Shapes:
        query, key, value: (N, T, C); mask: (N, T) bool, True = real frame;
        output: (N, T, C), zero at padded frames.
    """

    def __init__(self,
                 embed_dims: int = 64,
                 num_heads: int = 4,
                 dropout: float = 0.05,
                 mask_keys: bool = False,
                 eps: float = 1e-6) -> None:
        super().__init__()
        if embed_dims % num_heads:
            raise ValueError(f'embed_dims {embed_dims} is not divisible by '
                             f'num_heads {num_heads}')
        self.num_heads = num_heads
        self.mask_keys = mask_keys
        self.eps = eps
        self.q_proj = nn.Linear(embed_dims, embed_dims)
        self.k_proj = nn.Linear(embed_dims, embed_dims)
        self.v_proj = nn.Linear(embed_dims, embed_dims)
        self.out_proj = nn.Linear(embed_dims, embed_dims)
        self.dropout = nn.Dropout(dropout)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], x.shape[1], self.num_heads, -1)

    def forward(self,
                query: torch.Tensor,
                key: torch.Tensor,
                value: torch.Tensor,
                mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        q = torch.sigmoid(self._heads(self.q_proj(query)))
        k = torch.sigmoid(self._heads(self.k_proj(key)))
        v = self._heads(self.v_proj(value))
        if mask is not None and self.mask_keys:
            keep = mask[:, :, None, None].to(k.dtype)
            k, v = k * keep, v * keep
        kv = torch.einsum('nshd,nshe->nhde', k, v)
        norm = torch.einsum('nthd,nhd->nth', q, k.sum(dim=1))
        out = torch.einsum('nthd,nhde->nthe', q, kv) / (
            norm[..., None] + self.eps)
        out = self.dropout(self.out_proj(out.flatten(2)))
        if mask is not None:
            out = out * mask[..., None].to(out.dtype)
        return out
