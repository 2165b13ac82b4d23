from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

from mmaction_ext.models.utils.packed_transformer import packed_encoder
from mmaction_ext.models.utils.scene_graph_ops import (EdgeTokens, edge_tokens,
                                                       mlp)


@MODELS.register_module()
class VGPNNLayer(BaseModule):
    """One layer of ProDA's Video Graph Parsing Neural Network (App. B).

    - Link (Eq. 9): ``f_jk = Edge([v_j, v_k, r_jk])`` for every ordered
      pair of valid nodes j != k of a frame, then a self-attention encoder
      over the N frames of each edge gives F_jk.
    - Message (Eq. 10-11): ``m_j = sum_k sigmoid(W^m F_jk) *
      Msg([v_j, F_jk])``, with v_j the receiving node, as Eq. (11) writes.
    - Update (Eq. 12): ``v_hat = Agg(v + m)``, then an MLP fuses
      ``[v, v_hat]`` into the layer output.

    Edges exist where both nodes are present in the frame; the relation
    embedding r_jk is zero for pairs without an annotated relation.

    Only edges are computed, each (graph, frame, j, k) edge a token: the
    edge MLP, the temporal encoder (over the frames where the pair is an
    edge, as the key padding of a dense run leaves them) and the message
    MLP run per token, their pair-wide first Linears split into per-node
    parts. The outputs equal the dense formulation over all M * M pairs.

    Args:
        embed_dims (int): D of nodes, edges and messages.
        rel_dims (int): Width of the relation embeddings r_jk.
        num_heads (int): Heads of the temporal edge encoder. Defaults to 4.
        temporal_layers (int): Blocks of the temporal edge encoder (L of
            App. B). Defaults to 1.
        ffn_dims (int): FFN width of that encoder. Defaults to 4 *
            embed_dims.
        dropout (float): Dropout. Defaults to 0.1.
        with_cp (bool): Gradient checkpointing of the layer: its
            activations are recomputed in the backward pass (same dropout
            masks, same results) instead of kept, for less memory and
            about one more forward pass of time. Defaults to False.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 embed_dims: int,
                 rel_dims: int,
                 num_heads: int = 4,
                 temporal_layers: int = 1,
                 ffn_dims: int = None,
                 dropout: float = 0.1,
                 with_cp: bool = False,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.with_cp = with_cp
        d = embed_dims
        self.edge = mlp(2 * d + rel_dims, d, d, dropout)
        self.temporal = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(
                d,
                num_heads,
                ffn_dims or 4 * d,
                dropout,
                activation='gelu',
                batch_first=True),
            temporal_layers,
            enable_nested_tensor=False)
        self.link_weight = nn.Linear(d, 1)  # W^m
        self.message = mlp(2 * d, d, d, dropout)
        self.aggregate = mlp(d, d, d, dropout)
        self.fuse = mlp(2 * d, d, d, dropout)

    def link(self, x: Tensor, rel: Tensor, tokens: EdgeTokens,
             rel_pair: Tensor) -> Tensor:
        """Edge features F_jk (T, D) of Eq. (9) at the edge tokens.

        Edge's first Linear over ``[v_j, v_k, r_jk]`` is applied as the sum
        of its column blocks: on nodes and on the relation entries (of
        each video, ``rel_pair`` indexes them), not on each pair.
        """
        first, act, drop, second = self.edge
        d = x.shape[-1]
        w_j, w_k, w_r = first.weight.split([d, d, rel.shape[-1]], 1)
        nodes = x.flatten(0, 2)
        hidden = (
            F.linear(nodes, w_j)[tokens.node_j] +
            F.linear(nodes, w_k)[tokens.node_k] +
            F.linear(rel.flatten(0, 3), w_r)[rel_pair] + first.bias)
        feats = second(drop(act(hidden)))
        return packed_encoder(self.temporal, feats, tokens.slot,
                              tokens.num_seqs, x.shape[1])

    def messages(self, x: Tensor, feats: Tensor, weights: Tensor,
                 tokens: EdgeTokens) -> Tensor:
        """m_j (B, N, M, D) of Eq. (10-11) from the edge tokens' F (T, D)
        and the edge weights (B, N, M, M).

        Msg's first Linear over ``[v_j, F_jk]`` is split like Edge's; its
        second Linear commutes with the weighted sum over k, so it runs
        once per node: ``sum_k w_k (W h_k + b) = W sum_k w_k h_k + b
        sum_k w_k``.
        """
        first, act, drop, second = self.message
        d, m = x.shape[-1], x.shape[2]
        w_receiver, w_edge = first.weight.split([d, d], 1)
        nodes = x.flatten(0, 2)
        hidden = (
            F.linear(nodes, w_receiver)[tokens.node_j] +
            F.linear(feats, w_edge, first.bias))
        weighted = weights.flatten()[tokens.pair, None] * drop(act(hidden))
        # summed on a dense (pair, D) grid: deterministic, unlike index_add
        grid = weighted.new_zeros(len(nodes) * m, weighted.shape[-1])
        summed = grid.index_copy(0, tokens.pair,
                                 weighted).view(len(nodes), m, -1).sum(1)
        msg = F.linear(summed, second.weight) + \
            weights.sum(-1).view(-1, 1) * second.bias
        return msg.view_as(x)

    def forward(self,
                x: Tensor,
                rel: Tensor,
                mask: Tensor,
                rel_index: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        """Update the nodes of a scene graph.

        Args:
            x (Tensor): Node features (B, N, M, D).
            rel (Tensor): Relation embeddings (B, N, M, M, rel_dims) of the
                ordered pair j -> k, or (V, N, M, M, rel_dims) per video
                with ``rel_index``.
            mask (Tensor): Node mask, bool (B, N, M).
            rel_index (Tensor, optional): Row of ``rel`` for each graph,
                long (B, ) (several graphs of one video share its
                relations). Defaults to None (``rel`` has B rows).

        Returns:
            tuple[Tensor, Tensor]: Updated nodes (B, N, M, D) (not yet
            normalized) and the edge weights (B, N, M, M) in [0, 1], zero
            for missing edges.
        """
        check_relations(rel, x, rel_index)
        if self.with_cp and torch.is_grad_enabled():
            return checkpoint(
                self.update_nodes,
                x,
                rel,
                mask,
                rel_index,
                use_reentrant=False)
        return self.update_nodes(x, rel, mask, rel_index)

    def update_nodes(self, x: Tensor, rel: Tensor, mask: Tensor,
                     rel_index: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
        """:meth:`forward` without the checks and checkpointing."""
        n, m = x.shape[1:3]
        eye = torch.eye(m, dtype=torch.bool, device=x.device)
        edges = mask.unsqueeze(3) & mask.unsqueeze(2) & ~eye
        tokens = edge_tokens(edges)
        rel_pair = tokens.pair
        if rel_index is not None:
            per_graph = n * m * m
            rel_pair = rel_index[rel_pair // per_graph] * per_graph + \
                rel_pair % per_graph
        feats = self.link(x, rel, tokens, rel_pair)
        w = self.link_weight(feats).squeeze(-1).sigmoid()
        weights = x.new_zeros(edges.numel()).index_copy(0, tokens.pair, w)
        weights = weights.view_as(edges)
        msg = self.messages(x, feats, weights, tokens)
        updated = self.aggregate(x + msg)
        out = self.fuse(torch.cat([x, updated], -1))
        return out * mask.unsqueeze(-1), weights


def check_relations(rel: Tensor, x: Tensor,
                    rel_index: Optional[Tensor]) -> None:
    """Clear error for relations that do not fit the node features."""
    b, n, m = x.shape[:3]
    fits = rel.dim() == 5 and tuple(rel.shape[1:4]) == (n, m, m)
    if rel_index is None:
        fits = fits and len(rel) == b
    else:
        fits = fits and tuple(rel_index.shape) == (b, )
    if not fits:
        index = '' if rel_index is None else \
            f' with rel_index {tuple(rel_index.shape)}'
        raise ValueError(
            f'rel {tuple(rel.shape)}{index} does not fit node features '
            f'{tuple(x.shape)}: expected (B, N, M, M, rel_dims), or '
            f'(videos, N, M, M, rel_dims) with rel_index (B, )')
