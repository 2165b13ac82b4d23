from typing import Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn


def k_hop_adjacencies(num_joints: int, edges: Sequence[Tuple[int, int]],
                      num_scales: int) -> np.ndarray:
    """Normalised exact k-hop adjacencies, shape (num_scales, V, V).

    Scale 0 is the identity; scale k >= 1 links joints exactly k hops apart
    (``min((A+I)^k, 1) - min((A+I)^(k-1), 1)``) plus self-loops. Each is
    normalised symmetrically, ``D^-1/2 A D^-1/2``.
    """
    adjacency = np.eye(num_joints)
    for i, j in edges:
        adjacency[i, j] = adjacency[j, i] = 1
    reach = [np.eye(num_joints)]
    power = np.eye(num_joints)
    for _ in range(1, num_scales):
        power = np.minimum(power @ adjacency, 1)
        reach.append(power)
    scales = [np.eye(num_joints)] + [
        reach[k] - reach[k - 1] + np.eye(num_joints)
        for k in range(1, num_scales)
    ]
    normalised = []
    for a in scales:
        degree = a.sum(1)
        inv_sqrt = np.where(degree > 0, degree**-0.5, 0)
        normalised.append(inv_sqrt[:, None] * a * inv_sqrt[None])
    return np.stack(normalised).astype(np.float32)


class MultiScaleGraphConv(nn.Module):
    """Multi-scale (disentangled k-hop) graph convolution of TRG-Net's stem.

    Aggregates each joint's k-hop neighbourhoods for k = 0..num_scales-1
    with fixed normalised adjacencies plus a learnable residual (initialised
    near zero), concatenates the scales and mixes them with a 1x1
    convolution, BatchNorm and ReLU.

    Args:
        in_channels (int): Input channels C.
        out_channels (int): Output channels.
        num_joints (int): Joints V.
        edges (Sequence[tuple]): Skeleton edges (i, j), 0-based.
        num_scales (int): Scales. Defaults to 13 (TRG-Net).

    Shapes:
        (N, C, T, V) -> (N, out_channels, T, V).
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 num_joints: int,
                 edges: Sequence[Tuple[int, int]],
                 num_scales: int = 13) -> None:
        super().__init__()
        self.num_scales = num_scales
        self.register_buffer(
            'adjacency',
            torch.from_numpy(k_hop_adjacencies(num_joints, edges, num_scales)))
        self.residual = nn.Parameter(
            torch.empty(num_scales, num_joints,
                        num_joints).uniform_(-1e-6, 1e-6))
        self.mlp = nn.Sequential(
            nn.Conv2d(num_scales * in_channels, out_channels, 1),
            nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, t, v = x.shape
        adjacency = self.adjacency + self.residual
        support = torch.einsum('kvu,nctu->nkctv', adjacency, x)
        return self.mlp(support.reshape(n, self.num_scales * c, t, v))
