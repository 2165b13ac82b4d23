"""Building blocks of CTR-GCN (Chen et al., ICCV 2021).

Attribute names follow MMAction2's ``projects/ctrgcn`` so that state dicts
line up key for key with checkpoints of that project.
"""
from typing import Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule, ModuleList, Sequential

from mmaction.models.utils import unit_tcn

_CONV_BN_INIT = [
    dict(type='Constant', layer='BatchNorm2d', val=1),
    dict(type='Kaiming', layer='Conv2d', mode='fan_out')
]


def _zero(x):
    return 0


def _identity(x):
    return x


class ChannelwiseTopologyRefinement(BaseModule):
    """CTR graph convolution of one adjacency subset (``CTRGC`` in the paper).

    Each channel gets its own topology: the shared adjacency ``A`` plus
    ``alpha`` times a channel-specific correlation of joint features.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        rel_reduction (int): Channel reduction of the correlation branch.
            Inputs of at most 16 channels use 8 correlation channels.
            Defaults to 8.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 rel_reduction: int = 8,
                 init_cfg=_CONV_BN_INIT):
        super().__init__(init_cfg=init_cfg)
        rel_channels = 8 if in_channels <= 16 else in_channels // rel_reduction
        self.conv1 = nn.Conv2d(in_channels, rel_channels, 1)
        self.conv2 = nn.Conv2d(in_channels, rel_channels, 1)
        self.conv3 = nn.Conv2d(in_channels, out_channels, 1)
        self.conv4 = nn.Conv2d(rel_channels, out_channels, 1)
        self.tanh = nn.Tanh()

    def forward(self, x: torch.Tensor, A: torch.Tensor,
                alpha: torch.Tensor) -> torch.Tensor:
        """(N, C_in, T, V) -> (N, C_out, T, V) with A of shape (V, V)."""
        query = self.conv1(x).mean(-2)
        key = self.conv2(x).mean(-2)
        correlation = self.tanh(query.unsqueeze(-1) - key.unsqueeze(-2))
        topology = self.conv4(correlation) * alpha + A[None, None]
        return torch.einsum('ncuv,nctu->nctv', topology, self.conv3(x))


class CTRGCNUnit(BaseModule):
    """Graph convolution of a CTR-GCN block: one CTR-GC per adjacency subset.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        A (torch.Tensor): Adjacency subsets, shape (K, V, V). Learned
            (initialised to ``A``) as the paper's shared topology.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 A: torch.Tensor,
                 init_cfg=[
                     dict(
                         type='Constant',
                         layer='BatchNorm2d',
                         val=1,
                         override=dict(type='Constant', name='bn', val=1e-6)),
                     dict(type='Kaiming', layer='Conv2d', mode='fan_out')
                 ]):
        super().__init__(init_cfg=init_cfg)
        self.convs = ModuleList(
            ChannelwiseTopologyRefinement(in_channels, out_channels)
            for _ in range(A.shape[0]))
        if in_channels != out_channels:
            self.down = Sequential(
                nn.Conv2d(in_channels, out_channels, 1),
                nn.BatchNorm2d(out_channels))
        else:
            self.down = _identity
        self.A = nn.Parameter(A.clone())
        self.alpha = nn.Parameter(torch.zeros(1))
        self.bn = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C_in, T, V) -> (N, C_out, T, V)."""
        y = sum(conv(x, A, self.alpha) for conv, A in zip(self.convs, self.A))
        return self.relu(self.bn(y) + self.down(x))


class MultiScaleTemporalConv(BaseModule):
    """Multi-scale temporal convolution of CTR-GCN (MS-G3D style).

    Branches: one dilated temporal convolution per dilation, a 3-frame max
    pooling branch and a strided 1x1 branch, each on ``out_channels /
    (len(dilations) + 2)`` channels, concatenated. As in the official CTR-GCN
    code there is no activation after the concatenation; the enclosing block
    adds its residual and applies ReLU.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Temporal kernel size of the dilated branches.
            Defaults to 5.
        stride (int): Temporal stride. Defaults to 1.
        dilations (Sequence[int]): Dilations of the convolution branches.
            Defaults to (1, 2).
        dropout (float): Dropout after concatenation. Defaults to 0.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: int = 5,
                 stride: int = 1,
                 dilations: Sequence[int] = (1, 2),
                 dropout: float = 0.,
                 init_cfg=_CONV_BN_INIT):
        super().__init__(init_cfg=init_cfg)
        num_branches = len(dilations) + 2
        branch_channels = out_channels // num_branches
        last_channels = out_channels - branch_channels * (num_branches - 1)

        def reduce(channels):
            return [
                nn.Conv2d(in_channels, channels, 1),
                nn.BatchNorm2d(channels),
                nn.ReLU(inplace=True)
            ]

        self.branches = ModuleList(
            Sequential(
                *reduce(branch_channels),
                unit_tcn(
                    branch_channels,
                    branch_channels,
                    kernel_size=kernel_size,
                    stride=stride,
                    dilation=dilation)) for dilation in dilations)
        self.branches.append(
            Sequential(
                *reduce(branch_channels),
                nn.MaxPool2d((3, 1), stride=(stride, 1), padding=(1, 0)),
                nn.BatchNorm2d(branch_channels)))
        self.branches.append(
            Sequential(
                nn.Conv2d(in_channels, last_channels, 1, stride=(stride, 1)),
                nn.BatchNorm2d(last_channels)))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C_in, T, V) -> (N, C_out, T / stride, V)."""
        return self.drop(torch.cat([branch(x) for branch in self.branches], 1))


class CTRGCNBlock(BaseModule):
    """One CTR-GCN layer: CTR graph convolution, multi-scale TCN, residual.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        A (torch.Tensor): Adjacency subsets, shape (K, V, V).
        stride (int): Temporal stride. Defaults to 1.
        residual (bool): Whether to add the block residual. Defaults to True.
        kernel_size (int): Temporal kernel size. Defaults to 5.
        dilations (Sequence[int]): Temporal dilations. Defaults to (1, 2).
        tcn_dropout (float): Dropout in the temporal module. Defaults to 0.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 A: torch.Tensor,
                 stride: int = 1,
                 residual: bool = True,
                 kernel_size: int = 5,
                 dilations: Sequence[int] = (1, 2),
                 tcn_dropout: float = 0.):
        super().__init__()
        self.gcn1 = CTRGCNUnit(in_channels, out_channels, A)
        self.tcn1 = MultiScaleTemporalConv(
            out_channels,
            out_channels,
            kernel_size=kernel_size,
            stride=stride,
            dilations=dilations,
            dropout=tcn_dropout)
        self.relu = nn.ReLU(inplace=True)
        if not residual:
            self.residual = _zero
        elif in_channels == out_channels and stride == 1:
            self.residual = _identity
        else:
            self.residual = unit_tcn(
                in_channels, out_channels, kernel_size=1, stride=stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C_in, T, V) -> (N, C_out, T / stride, V)."""
        return self.relu(self.tcn1(self.gcn1(x)) + self.residual(x))
