from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule, ModuleList

from mmaction.registry import MODELS
from ..utils.ctrgcn_blocks import CTRGCNBlock
from ..utils.skeleton_graph import SkeletonGraph


@MODELS.register_module()
class CTRGCN(BaseModule):
    """Channel-wise Topology Refinement GCN (Chen et al., ICCV 2021).

    Ten blocks of CTR graph convolution and multi-scale temporal convolution,
    as in the paper: widths 64 x 4, 128 x 3, 256 x 3 with temporal stride 2 at
    blocks 5 and 8, so the output is (N, M, 256, T / 4, V). With
    ``GCNHead(num_classes=120, in_channels=256)`` the model has 1.46M
    parameters. State-dict keys match MMAction2's ``projects/ctrgcn``.

    Args:
        graph_cfg (dict): Config of
            :class:`~mmaction_ext.models.utils.SkeletonGraph` (MMAction2's
            ``Graph`` with every layout of
            :mod:`mmaction_ext.structures.skeleton_layouts`), e.g.
            ``dict(layout='nturgb+d', mode='spatial')`` or
            ``dict(layout='nwucla', mode='spatial')``.
        in_channels (int): Channels per joint of the input. Defaults to 3.
        base_channels (int): Width of the first stage. Defaults to 64.
        num_stages (int): Number of blocks. Defaults to 10.
        inflate_stages (Sequence[int]): 1-based blocks that double the width.
            Defaults to (5, 8).
        down_stages (Sequence[int]): 1-based blocks with temporal stride 2.
            Defaults to (5, 8).
        num_person (int): Persons per sample M, used by the input BatchNorm.
            Defaults to 2.
        kernel_size (int): Temporal kernel size. Defaults to 5.
        dilations (Sequence[int]): Temporal dilations. Defaults to (1, 2).
        tcn_dropout (float): Dropout in the temporal modules (not in the first
            block). Defaults to 0.
        init_cfg (dict, optional): Initialization config. Defaults to None.
    """

    def __init__(self,
                 graph_cfg: Dict,
                 in_channels: int = 3,
                 base_channels: int = 64,
                 num_stages: int = 10,
                 inflate_stages: Sequence[int] = (5, 8),
                 down_stages: Sequence[int] = (5, 8),
                 num_person: int = 2,
                 kernel_size: int = 5,
                 dilations: Sequence[int] = (1, 2),
                 tcn_dropout: float = 0.,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.graph = SkeletonGraph(**graph_cfg)
        A = torch.tensor(self.graph.A, dtype=torch.float32)
        self.register_buffer('A', A)
        self.in_channels = in_channels
        self.num_person = num_person
        self.data_bn = nn.BatchNorm1d(num_person * in_channels * A.size(1))

        block_cfg = dict(kernel_size=kernel_size, dilations=dilations)
        blocks = [
            CTRGCNBlock(
                in_channels, base_channels, A, residual=False, **block_cfg)
        ]
        channels = base_channels
        for stage in range(2, num_stages + 1):
            out_channels = channels * (2 if stage in inflate_stages else 1)
            blocks.append(
                CTRGCNBlock(
                    channels,
                    out_channels,
                    A,
                    stride=2 if stage in down_stages else 1,
                    tcn_dropout=tcn_dropout,
                    **block_cfg))
            channels = out_channels
        self.net = ModuleList(blocks)
        self.out_channels = channels

    def _check_input(self, x: torch.Tensor) -> None:
        expected = (self.num_person, self.A.size(1), self.in_channels)
        if x.dim() != 5 or (x.shape[1], x.shape[3], x.shape[4]) != expected:
            raise ValueError(
                f'{type(self).__name__} expects input (N, M, T, V, C) with '
                f'M={expected[0]} persons, V={expected[1]} joints '
                f'(graph layout {self.graph.layout!r}) and C={expected[2]} '
                f'channels, got shape {tuple(x.shape)}')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Extract features.

        Args:
            x (torch.Tensor): Skeletons, shape (N, M, T, V, C).

        Returns:
            torch.Tensor: Features, shape (N, M, C_out, T / 4, V).
        """
        self._check_input(x)
        N, M, T, V, C = x.shape
        x = x.permute(0, 1, 3, 4, 2).reshape(N, M * V * C, T)
        x = self.data_bn(x)
        x = x.view(N, M, V, C, T).permute(0, 1, 3, 4, 2)
        x = x.reshape(N * M, C, T, V)
        for block in self.net:
            x = block(x)
        return x.reshape((N, M) + x.shape[1:])
