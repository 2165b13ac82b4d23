from typing import Dict, List, Optional, Tuple

from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


@MODELS.register_module()
class VGPNN(BaseModule):
    """A stack of :class:`VGPNNLayer`, each followed by a normalization.

    Relation types are embedded once (a learned linear map of the
    multi-hot relation vector, i.e. the sum of the embeddings of the
    pair's relation types) and shared by the layers.

    Args:
        embed_dims (int): D.
        num_relations (int): R, relation types of the multi-hot vectors.
        num_layers (int): Layers. Defaults to 2.
        rel_dims (int): Width of the relation embeddings. Defaults to
            ``embed_dims``.
        layer_cfg (dict): Extra :class:`VGPNNLayer` arguments.
        norm_cfg (dict): One of ``VGNorm`` (paper), ``NodeLayerNorm``,
            ``FrameBatchNorm``, ``GraphNorm`` (Table 4), built with
            ``embed_dims`` or ``num_frames`` filled in. Defaults to
            ``dict(type='VGNorm', num_frames=16)``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 embed_dims: int,
                 num_relations: int,
                 num_layers: int = 2,
                 rel_dims: int = None,
                 layer_cfg: Dict = None,
                 norm_cfg: Dict = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        rel_dims = rel_dims or embed_dims
        norm_cfg = dict(norm_cfg or dict(type='VGNorm', num_frames=16))
        if norm_cfg['type'] in ('GraphNorm', 'NodeLayerNorm'):
            norm_cfg.setdefault('embed_dims', embed_dims)
        self.rel_embed = nn.Linear(num_relations, rel_dims, bias=False)
        self.layers = nn.ModuleList([
            MODELS.build(
                dict(
                    type='VGPNNLayer',
                    embed_dims=embed_dims,
                    rel_dims=rel_dims,
                    **(layer_cfg or {}))) for _ in range(num_layers)
        ])
        self.norms = nn.ModuleList(
            [MODELS.build(dict(norm_cfg)) for _ in range(num_layers)])

    def embed_relations(self, relations: Tensor) -> Tensor:
        """(B, N, M, M, R) multi-hot -> (B, N, M, M, rel_dims)."""
        return self.rel_embed(relations)

    def forward(
            self,
            x: Tensor,
            rel: Tensor,
            mask: Tensor,
            rel_index: Optional[Tensor] = None) -> Tuple[Tensor, List[Tensor]]:
        """Args: x (B, N, M, D), rel embedded (B, N, M, M, rel_dims), mask
        (B, N, M); or rel per video (V, N, M, M, rel_dims) with rel_index
        (B, ) its row for each graph. Returns the nodes (B, N, M, D) and
        each layer's edge weights (B, N, M, M)."""
        weights = []
        for layer, norm in zip(self.layers, self.norms):
            x, w = layer(x, rel, mask, rel_index)
            x = norm(x, mask)
            weights.append(w)
        return x, weights
