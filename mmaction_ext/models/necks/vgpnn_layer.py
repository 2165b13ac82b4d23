from typing import Tuple

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmaction_ext.models.utils.scene_graph_ops import key_padding, mlp


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

    Args:
        embed_dims (int): D of nodes, edges and messages.
        rel_dims (int): Width of the relation embeddings r_jk.
        num_heads (int): Heads of the temporal edge encoder. Defaults to 4.
        temporal_layers (int): Blocks of the temporal edge encoder (L of
            App. B). Defaults to 1.
        ffn_dims (int): FFN width of that encoder. Defaults to 4 *
            embed_dims.
        dropout (float): Dropout. Defaults to 0.1.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 embed_dims: int,
                 rel_dims: int,
                 num_heads: int = 4,
                 temporal_layers: int = 1,
                 ffn_dims: int = None,
                 dropout: float = 0.1,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
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

    def link(self, x: Tensor, rel: Tensor, edges: Tensor) -> Tensor:
        """Edge features F (B, N, M, M, D) of Eq. (9)."""
        b, n, m, d = x.shape
        pair = torch.cat([
            x.unsqueeze(3).expand(-1, -1, -1, m, -1),
            x.unsqueeze(2).expand(-1, -1, m, -1, -1), rel
        ], -1)
        f = self.edge(pair) * edges.unsqueeze(-1)
        seq = f.permute(0, 2, 3, 1, 4).reshape(b * m * m, n, d)
        valid = edges.permute(0, 2, 3, 1).reshape(b * m * m, n)
        out = self.temporal(seq, src_key_padding_mask=key_padding(valid))
        out = out * valid.unsqueeze(-1)
        return out.view(b, m, m, n, d).permute(0, 3, 1, 2, 4)

    def forward(self, x: Tensor, rel: Tensor,
                mask: Tensor) -> Tuple[Tensor, Tensor]:
        """Update the nodes of a scene graph.

        Args:
            x (Tensor): Node features (B, N, M, D).
            rel (Tensor): Relation embeddings (B, N, M, M, rel_dims) of the
                ordered pair j -> k.
            mask (Tensor): Node mask, bool (B, N, M).

        Returns:
            tuple[Tensor, Tensor]: Updated nodes (B, N, M, D) (not yet
            normalized) and the edge weights (B, N, M, M) in [0, 1], zero
            for missing edges.
        """
        m = x.shape[2]
        eye = torch.eye(m, dtype=torch.bool, device=x.device)
        edges = mask.unsqueeze(3) & mask.unsqueeze(2) & ~eye
        feats = self.link(x, rel, edges)
        weights = self.link_weight(feats).squeeze(-1).sigmoid() * edges
        receiver = x.unsqueeze(3).expand(-1, -1, -1, m, -1)
        msgs = self.message(torch.cat([receiver, feats], -1))
        msg = (weights.unsqueeze(-1) * msgs).sum(3)
        updated = self.aggregate(x + msg)
        out = self.fuse(torch.cat([x, updated], -1))
        return out * mask.unsqueeze(-1), weights
