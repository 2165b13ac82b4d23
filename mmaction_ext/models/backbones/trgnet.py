from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from ..utils import (DilatedAttentionLayer, MultiScaleGraphConv, SpatialFusion,
                     TextGuidedGraphConv, joint_major)

# Skeleton trees of the TRG-Net datasets (0-based edges), from the graphs of
# the official code's sibling repositories (LaSA, TMD; TRG-Net's own graph
# file is missing). TCG-17: TMD's tree (HyperSeg hangs the arms from joint 9
# instead of 0); joint 2 is the pelvis, the root TRG-Net subtracts.
LAYOUT_EDGES: Dict[str, Tuple[int, Sequence[Tuple[int, int]]]] = {
    'nturgb+d': (25, ((12, 0), (13, 12), (14, 13), (15, 14), (16, 0), (17, 16),
                      (18, 17), (19, 18), (1, 0), (20, 1), (2, 20), (3, 2),
                      (4, 20), (5, 4), (6, 5), (7, 6), (21, 7), (22, 6),
                      (8, 20), (9, 8), (10, 9), (11, 10), (24, 10), (23, 11))),
    'lara': (19, ((1, 0), (2, 1), (3, 2), (4, 3), (5, 0), (6, 5), (7, 6),
                  (8, 7), (9, 0), (10, 9), (11, 9), (12, 10), (13, 12),
                  (14, 13), (15, 9), (16, 15), (17, 16), (18, 17))),
    'openpose_body25':
    (25,
     tuple(
         (i - 1, j - 1)
         for i, j in ((2, 9), (1, 2), (16, 1), (18, 16), (17, 1), (19, 17),
                      (6, 2), (7, 6), (8, 7), (3, 2), (4, 3), (5, 4), (10, 9),
                      (11, 10), (12, 11), (25, 12), (23, 12), (24, 23),
                      (13, 9), (14, 13), (15, 14), (22, 15), (20, 15), (21,
                                                                        20)))),
    'tcg17': (17, ((16, 2), (0, 16), (9, 0), (1, 9), (3, 0), (5, 3), (6, 5),
                   (10, 0), (12, 10), (13, 12), (8, 2), (7, 8), (4, 7),
                   (15, 2), (14, 15), (11, 14))),
}


@MODELS.register_module()
class TRGNet(BaseModule):
    """TRG-Net's backbone: GCN stem, DSFM and the fused linear transformer.

    A 13-scale GCN lifts the input to ``channels``; DSFM's graph
    convolution on the text joint graph (TJG, refined per frame and per
    channel) models space; then the features split into a temporal stream
    (flattened over joints) that runs through ``num_layers`` dilated
    linear-attention layers and spatial slices fused into it before layers
    1..num_layers-1 (spatio-temporal fusion).

    Args:
        in_channels (int): Input feature channels (PKU-MMD 12, MCFS 2).
        layout (str | dict): Skeleton tree: a key of :data:`LAYOUT_EDGES`
            (``'nturgb+d'``, ``'lara'``, ``'openpose_body25'``,
            ``'tcg17'``) or
            ``dict(num_joints=V, edges=[(i, j), ...])``.
        tjg (np.ndarray, optional): Text joint graph (V, V). The segmenter
            sets it from its text priors; None (or ``use_tjg=False``) runs
            the "no TJG" ablation.
        channels (int): Feature channels. Defaults to 64.
        num_layers (int): Temporal layers (dilations 1, 2, 4, ...).
            Defaults to 10.
        slice_channels (int): Channels of each spatial slice and of the
            temporal stream before projection. Defaults to 8.
        num_scales (int): GCN stem scales. Defaults to 13.
        use_tjg (bool): Use the TJG prior. Defaults to True.
        mask_keys (bool): Exclude padding from attention sums (the official
            code does not). Defaults to False.

    Shapes:
        x (N, C_in, T, V), mask (N, 1, T) -> (N, channels, T).
    """

    def __init__(self,
                 in_channels: int,
                 layout='nturgb+d',
                 tjg: Optional[np.ndarray] = None,
                 channels: int = 64,
                 num_layers: int = 10,
                 slice_channels: int = 8,
                 num_scales: int = 13,
                 use_tjg: bool = True,
                 mask_keys: bool = False,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        num_joints, edges = (
            LAYOUT_EDGES[layout] if isinstance(layout, str) else
            (layout['num_joints'], layout['edges']))
        self.num_joints = num_joints
        self.stem = MultiScaleGraphConv(in_channels, channels, num_joints,
                                        edges, num_scales)
        self.use_tjg = use_tjg
        self.register_buffer('tjg', torch.zeros(num_joints, num_joints))
        if tjg is not None:
            self.set_tjg(tjg)
        self.graph_conv = TextGuidedGraphConv(channels, 8, use_tjg=use_tjg)
        self.channel_dropout = nn.Dropout2d(0.3)
        self.slice_channels = slice_channels
        self.split = nn.Conv2d(channels, slice_channels * (num_layers), 1)
        self.temporal_in = nn.Conv1d(num_joints * slice_channels, channels, 1)
        self.fusions = nn.ModuleList(
            SpatialFusion(channels, slice_channels, num_joints)
            for _ in range(num_layers - 1))
        self.layers = nn.ModuleList(
            DilatedAttentionLayer(channels, 2**i, mask_keys=mask_keys)
            for i in range(num_layers))
        self.out = nn.Conv1d(channels, channels, 1)

    def set_tjg(self, tjg) -> None:
        tjg = torch.as_tensor(np.asarray(tjg), dtype=torch.float32)
        if tjg.shape != self.tjg.shape:
            raise ValueError(f'the text joint graph is {tuple(tjg.shape)}, '
                             f'the layout has {self.num_joints} joints')
        self.tjg.copy_(tjg)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[-1] != self.num_joints:
            raise ValueError(f'TRGNet expects (N, C, T, V={self.num_joints}) '
                             f'input, got {tuple(x.shape)}')
        x = self.stem(x) * mask.unsqueeze(-1)
        x = self.graph_conv(x, self.tjg, mask)
        x = self.split(self.channel_dropout(x))
        slices = x.split(self.slice_channels, dim=1)
        stream = self.temporal_in(joint_major(slices[-1])) * mask
        for index, layer in enumerate(self.layers):
            if index > 0:
                stream = self.fusions[index - 1](stream, slices[index - 1],
                                                 mask)
            stream = layer(stream, mask)
        return self.out(stream) * mask
