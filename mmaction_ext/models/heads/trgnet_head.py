from typing import Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from ..utils import DilatedAttentionLayer, DilatedResidualLayer


class ClassRefinementStage(nn.Module):
    """A decoder stage refining class scores with the backbone feature.

    Shapes:
        scores (N, K, T), feature (N, C, T), mask (N, 1, T) -> (N, K, T).
    """

    def __init__(self, num_classes: int, channels: int, num_layers: int,
                 mask_keys: bool) -> None:
        super().__init__()
        self.conv_in = nn.Conv1d(num_classes, channels, 1)
        self.layers = nn.ModuleList(
            DilatedAttentionLayer(channels, 2**i, mask_keys=mask_keys)
            for i in range(num_layers))
        self.conv_out = nn.Conv1d(channels, num_classes, 1)

    def forward(self, scores, feature, mask):
        x = self.conv_in(F.softmax(scores, dim=1) * mask)
        for layer in self.layers:
            x = layer(x, mask, value=feature)
        return self.conv_out(x) * mask


class BoundaryRefinementStage(nn.Module):
    """An MS-TCN single stage refining boundary logits.

    Shapes:
        logits (N, 1, T), mask (N, 1, T) -> (N, 1, T).
    """

    def __init__(self, channels: int, num_layers: int) -> None:
        super().__init__()
        self.conv_in = nn.Conv1d(1, channels, 1)
        self.layers = nn.ModuleList(
            DilatedResidualLayer(channels, 2**i) for i in range(num_layers))
        self.conv_out = nn.Conv1d(channels, 1, 1)

    def forward(self, logits, mask):
        x = self.conv_in(torch.sigmoid(logits) * mask)
        for layer in self.layers:
            x = layer(x, mask)
        return self.conv_out(x) * mask


@MODELS.register_module()
class TRGNetHead(BaseModule):
    """TRG-Net's classification and boundary branches with refinement.

    From the backbone feature: class scores, boundary logits and the
    projection used by ARIS; then ``num_class_stages - 1`` decoder stages
    refine the class scores (attending to the backbone feature) and
    ``num_boundary_stages - 1`` MS-TCN stages refine the boundaries.
    Inference uses the last stage of each.

    Args:
        num_classes (int): Classes K.
        channels (int): Backbone channels. Defaults to 64.
        text_dims (int): Size of the action text embeddings (ARIS).
            Defaults to 768 (BERT-base).
        num_class_stages (int): Class stages incl. the first. Defaults to 2.
        num_boundary_stages (int): Boundary stages incl. the first.
            Defaults to 3.
        num_layers (int): Layers per refinement stage. Defaults to 10.
        mask_keys (bool): See :class:`LinearAttention`. Defaults to False.

    Shapes:
        feature (N, C, T), mask (N, 1, T) -> dict(class_stages=[(N, K, T)],
        boundary_stages=[(N, 1, T)], text_feature=(N, text_dims, T)).
    """

    def __init__(self,
                 num_classes: int,
                 channels: int = 64,
                 text_dims: int = 768,
                 num_class_stages: int = 2,
                 num_boundary_stages: int = 3,
                 num_layers: int = 10,
                 mask_keys: bool = False,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.cls = nn.Conv1d(channels, num_classes, 1)
        self.boundary = nn.Conv1d(channels, 1, 1)
        self.text_projection = nn.Conv1d(channels, text_dims, 1)
        self.class_stages = nn.ModuleList(
            ClassRefinementStage(num_classes, channels, num_layers, mask_keys)
            for _ in range(num_class_stages - 1))
        self.boundary_stages = nn.ModuleList(
            BoundaryRefinementStage(channels, num_layers)
            for _ in range(num_boundary_stages - 1))

    def forward(self, feature: torch.Tensor,
                mask: torch.Tensor) -> Dict[str, List[torch.Tensor]]:
        scores = [self.cls(feature) * mask]
        for stage in self.class_stages:
            scores.append(stage(scores[-1], feature, mask))
        boundaries = [self.boundary(feature) * mask]
        for stage in self.boundary_stages:
            boundaries.append(stage(boundaries[-1], mask))
        return dict(
            class_stages=scores,
            boundary_stages=boundaries,
            text_feature=self.text_projection(feature) * mask)
