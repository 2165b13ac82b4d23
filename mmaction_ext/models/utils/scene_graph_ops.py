"""Masked tensor helpers shared by the ProDA modules.

Scene-graph tensors are node features (B, N, M, D) with a node mask
(B, N, M): N frames, M object slots (the same object in every frame),
padding where an object is absent.
"""
from typing import NamedTuple

import torch
from torch import Tensor, nn


def mlp(in_dim: int,
        hidden: int,
        out_dim: int,
        dropout: float = 0.) -> nn.Sequential:
    """Linear, GELU, Dropout, Linear."""
    return nn.Sequential(
        nn.Linear(in_dim, hidden), nn.GELU(), nn.Dropout(dropout),
        nn.Linear(hidden, out_dim))


def key_padding(valid: Tensor) -> Tensor:
    """``key_padding_mask`` for attention over the last axis of ``valid``.

    Rows without any valid key would make the softmax NaN; they attend to
    every (padded) key instead, and their outputs are zeroed by the caller.

    Args:
        valid (Tensor): bool (S, L), True for a real element.

    Returns:
        Tensor: bool (S, L), True for a key to ignore.
    """
    empty = ~valid.any(-1, keepdim=True)
    return ~(valid | empty)


def masked_softmax(logits: Tensor, valid: Tensor, dim: int) -> Tensor:
    """Softmax over the valid entries of ``dim``; all-invalid gives 0."""
    logits = logits.masked_fill(~valid, float('-inf'))
    empty = ~valid.any(dim, keepdim=True)
    weights = torch.softmax(logits.masked_fill(empty, 0.), dim)
    return weights * valid


def masked_mean(x: Tensor, mask: Tensor) -> Tensor:
    """Mean of node features over valid nodes and frames.

    Args:
        x (Tensor): (B, N, M, D).
        mask (Tensor): bool (B, N, M).

    Returns:
        Tensor: (B, D).
    """
    weight = mask.unsqueeze(-1).to(x.dtype)
    return (x * weight).sum((1, 2)) / weight.sum((1, 2)).clamp(min=1.)


def check_graph(x: Tensor, mask: Tensor, name: str = 'node_feats') -> None:
    """Clear error for node features and mask of mismatched shapes."""
    if x.dim() != 4 or mask.shape != x.shape[:3]:
        raise ValueError(
            f'{name} must be (B, N, M, D) with node_mask (B, N, M), got '
            f'{tuple(x.shape)} and {tuple(mask.shape)}')


class EdgeTokens(NamedTuple):
    """The edges of a scene graph, one token per (graph, frame, j, k).

    All indices are long (T, ), tokens in row-major (B, N, M, M) order.

    - ``pair``: flat index into (B, N, M, M).
    - ``node_j``, ``node_k``: flat index into (B, N, M) of nodes j and k.
    - ``slot``: flat index into the (num_seqs, N) grid of the edges'
      temporal sequences: one sequence per (graph, j, k) that is an edge
      in some frame.
    """
    pair: Tensor
    node_j: Tensor
    node_k: Tensor
    slot: Tensor
    num_seqs: int


def edge_tokens(edges: Tensor) -> EdgeTokens:
    """Index the True entries of ``edges``, bool (B, N, M, M)."""
    _, n, m, _ = edges.shape
    b, i, j, k = edges.nonzero(as_tuple=True)
    node_j = (b * n + i) * m + j
    seq_pair = (b * m + j) * m + k
    in_any_frame = edges.any(1).flatten()
    seq_of_pair = in_any_frame.cumsum(0) - 1
    return EdgeTokens(
        pair=node_j * m + k,
        node_j=node_j,
        node_k=(b * n + i) * m + k,
        slot=seq_of_pair[seq_pair] * n + i,
        num_seqs=int(in_any_frame.sum()))
