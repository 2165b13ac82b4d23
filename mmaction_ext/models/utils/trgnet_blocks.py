"""Building blocks of TRG-Net (Ji et al., 2025), per the official code."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from .linear_attention import LinearAttention


class TextGuidedGraphConv(nn.Module):
    """DSFM's graph convolution on the text-derived joint graph (TJG).

    The TJG replaces the physical adjacency and is refined twice from the
    data, as CTR-GC does: a frame-level graph (one V x V graph per frame,
    from channel-pooled features) and a channel-level graph (one per
    channel, from time-pooled features), each added to the TJG with a
    learnable weight that starts at 0 (so training starts from the prior).

    Args:
        channels (int): Channels C (in = out). Defaults to 64.
        rel_channels (int): Channels of the relation branch. Defaults to 8.
        use_tjg (bool): Add the text joint graph. False gives the "no TJG"
            ablation (purely data-driven graphs). Defaults to True.

    Shapes:
        x (N, C, T, V), tjg (V, V), mask (N, 1, T) -> (N, C, T, V).
    """

    def __init__(self,
                 channels: int = 64,
                 rel_channels: int = 8,
                 use_tjg: bool = True) -> None:
        super().__init__()
        self.use_tjg = use_tjg
        self.conv1 = nn.Conv2d(channels, rel_channels, 1)
        self.conv2 = nn.Conv2d(channels, rel_channels, 1)
        self.conv3 = nn.Conv2d(channels, channels, 1)
        self.conv4 = nn.Conv2d(rel_channels, channels, 1)
        self.alpha = nn.Parameter(torch.zeros(1))  # channel-level weight
        self.beta = nn.Parameter(torch.zeros(1))  # frame-level weight
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor, tjg: torch.Tensor,
                mask: torch.Tensor) -> torch.Tensor:
        x1, x2, x3 = self.conv1(x), self.conv2(x), self.conv3(x)
        prior = tjg if self.use_tjg else torch.zeros_like(tjg)
        # frame level: (N, T, V, V) from channel means
        frame = torch.tanh(x1.mean(1).unsqueeze(-1) - x2.mean(1).unsqueeze(-2))
        frame = frame * self.beta + prior
        out_frame = torch.einsum('ntuv,nctv->nctu', frame, x3)
        # channel level: (N, C, V, V) from time means
        channel = self.conv4(
            torch.tanh(x1.mean(2).unsqueeze(-1) - x2.mean(2).unsqueeze(-2)))
        channel = channel * self.alpha + prior
        out_channel = torch.einsum('ncuv,nctv->nctu', channel, x3)
        out = F.relu(self.bn(out_frame + out_channel) + x)
        return out * mask.unsqueeze(-1)


class DilatedAttentionLayer(nn.Module):
    """A dilated convolution + linear attention layer (ASFormer style).

    ``ff = ReLU(conv_dilated(x))``; attention over the instance-normalised
    ``ff`` (queries and keys; values too in the encoder, the encoder's
    feature in a decoder); ``out = x + Dropout(conv1x1(alpha * att + ff))``.

    Args:
        channels (int): Channels C.
        dilation (int): Dilation of the temporal convolution.
        alpha (float): Weight of the attention branch. Defaults to 1.
        num_heads (int): Attention heads. Defaults to 4.
        dropout (float): Dropout after the 1x1 convolution. Defaults to 0.5.
        mask_keys (bool): See :class:`LinearAttention`. Defaults to False.

    Shapes:
        x (N, C, T), mask (N, 1, T), value (N, C, T) or None -> (N, C, T).
    """

    def __init__(self,
                 channels: int,
                 dilation: int,
                 alpha: float = 1.,
                 num_heads: int = 4,
                 dropout: float = 0.5,
                 mask_keys: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.feed_forward = nn.Sequential(
            nn.Conv1d(
                channels, channels, 3, padding=dilation, dilation=dilation),
            nn.ReLU())
        self.norm = nn.InstanceNorm1d(channels, affine=False)
        self.attention = LinearAttention(
            channels, num_heads, mask_keys=mask_keys)
        self.conv_out = nn.Conv1d(channels, channels, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self,
                x: torch.Tensor,
                mask: torch.Tensor,
                value: Optional[torch.Tensor] = None) -> torch.Tensor:
        ff = self.feed_forward(x)
        query = self.norm(ff).transpose(1, 2)
        value = query if value is None else value.transpose(1, 2)
        att = self.attention(query, query, value, mask[:, 0].bool())
        out = self.alpha * att.transpose(1, 2) + ff
        return (x + self.dropout(self.conv_out(out))) * mask


class SpatialFusion(nn.Module):
    """TRG-Net's spatio-temporal fusion (SFI) before a temporal layer.

    A spatial slice (N, S, T, V) is flattened joint-major to (N, V*S, T),
    projected to C channels, concatenated with the temporal stream, fused
    by a 1x1 convolution and a channel feed-forward network, and added to
    the temporal stream.

    Shapes:
        temporal (N, C, T), spatial (N, S, T, V), mask (N, 1, T) -> (N, C, T).
    """

    def __init__(self,
                 channels: int,
                 spatial_channels: int,
                 num_joints: int,
                 dropout: float = 0.3) -> None:
        super().__init__()
        self.project = nn.Conv1d(num_joints * spatial_channels, channels, 1)
        self.fuse = nn.Conv1d(2 * channels, channels, 1)
        self.ffn = nn.Sequential(
            nn.Linear(channels, channels), nn.GELU(), nn.Dropout(dropout),
            nn.Linear(channels, channels))

    def forward(self, temporal: torch.Tensor, spatial: torch.Tensor,
                mask: torch.Tensor) -> torch.Tensor:
        spatial = self.project(joint_major(spatial))
        fused = self.fuse(torch.cat([spatial, temporal], dim=1))
        fused = self.ffn(fused.transpose(1, 2)).transpose(1, 2)
        return (fused + temporal) * mask


def joint_major(x: torch.Tensor) -> torch.Tensor:
    """(N, S, T, V) -> (N, V * S, T), the channels of joint 0 first."""
    n, s, t, v = x.shape
    return x.permute(0, 3, 1, 2).reshape(n, v * s, t)


class DilatedResidualLayer(nn.Module):
    """MS-TCN's dilated residual layer (boundary refinement stages).

    Shapes:
        x (N, C, T), mask (N, 1, T) -> (N, C, T).
    """

    def __init__(self,
                 channels: int,
                 dilation: int,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.conv_dilated = nn.Conv1d(
            channels, channels, 3, padding=dilation, dilation=dilation)
        self.conv_1x1 = nn.Conv1d(channels, channels, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = self.dropout(self.conv_1x1(F.relu(self.conv_dilated(x))))
        return (x + out) * mask
