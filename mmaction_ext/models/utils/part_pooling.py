from typing import Sequence

import torch
import torch.nn as nn


class BodyPartPooling(nn.Module):
    """Average GCN features over time, persons and each part's joints.

    Args:
        joint_groups (Sequence[Sequence[int]]): Joint indices of each part;
            a part listed as ``None`` pools all joints (the global feature).
        num_joints (int): Joints V of the features.

    Shapes:
        input (N, M, C, T, V) -> output (N, K, C), K = number of groups.
    """

    def __init__(self, joint_groups: Sequence, num_joints: int) -> None:
        super().__init__()
        weights = torch.zeros(len(joint_groups), num_joints)
        for row, joints in enumerate(joint_groups):
            joints = range(num_joints) if joints is None else list(joints)
            weights[row, joints] = 1. / len(joints)
        self.register_buffer('weights', weights, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        per_joint = x.mean(dim=(1, 3))  # (N, C, V): mean over persons, T
        return torch.einsum('ncv,kv->nkc', per_joint, self.weights)
