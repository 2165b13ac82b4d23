from typing import Dict, Optional

import numpy as np
import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from ..utils import (DilatedAttentionLayer, MultiScaleGraphConv, SkeletonGraph,
                     SpatialFusion, TextGuidedGraphConv, joint_major)

# Names the former ``layout`` argument used for TRG-Net's NTU tree.
_LAYOUT_ALIASES = {'nturgb+d': 'nturgb+d_lasa'}


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
        graph_cfg (dict): Skeleton tree of the GCN stem, as every MMAction2
            GCN takes it (see :class:`~mmaction_ext.models.utils.
            SkeletonGraph`): ``dict(layout=name)`` with TRG-Net's trees
            ``'nturgb+d_lasa'``, ``'lara'``, ``'openpose_body25'``,
            ``'tcg17'``, any other layout name, or
            ``dict(layout=dict(num_node, inward, center))``. Defaults to
            ``dict(layout='nturgb+d_lasa')``.
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
        layout (str, optional): Shorthand for ``graph_cfg=dict(layout=...)``;
            ``'nturgb+d'`` here names TRG-Net's tree ``'nturgb+d_lasa'``.
            Defaults to None.

    Shapes:
        x (N, C_in, T, V), mask (N, 1, T) -> (N, channels, T).
    """

    def __init__(self,
                 in_channels: int,
                 graph_cfg: Optional[Dict] = None,
                 tjg: Optional[np.ndarray] = None,
                 channels: int = 64,
                 num_layers: int = 10,
                 slice_channels: int = 8,
                 num_scales: int = 13,
                 use_tjg: bool = True,
                 mask_keys: bool = False,
                 layout: Optional[str] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if layout is not None:
            if graph_cfg is not None:
                raise ValueError('TRGNet takes graph_cfg or its shorthand '
                                 f'layout, not both (got {graph_cfg} and '
                                 f'{layout!r})')
            graph_cfg = dict(layout=_LAYOUT_ALIASES.get(layout, layout))
        self.graph = SkeletonGraph(
            **(graph_cfg or dict(layout='nturgb+d_lasa')))
        num_joints = self.num_joints = self.graph.num_node
        self.stem = MultiScaleGraphConv(in_channels, channels, num_joints,
                                        self.graph.inward, num_scales)
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
