from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmaction.registry import MODELS


@MODELS.register_module()
class BoundaryBCELoss(nn.Module):
    """Masked binary cross-entropy on boundary logits (MS-TCN/ASRF style).

    Averaged over each sequence's real frames, then over sequences.

    Args:
        pos_weight (float, optional): Weight of boundary frames, the
            official code's 1 / (fraction of boundary frames in the training
            set). None: set before training by
            :class:`BoundaryPosWeightHook`, which counts them.
        loss_weight (float): Defaults to 0.1.
    """

    def __init__(self,
                 pos_weight: Optional[float] = None,
                 loss_weight: float = 0.1) -> None:
        super().__init__()
        self.pos_weight = pos_weight
        self.loss_weight = loss_weight

    def forward(self, logits, targets, mask):
        """logits, targets, mask: (N, 1, T)."""
        if self.pos_weight is None:
            raise RuntimeError(
                'BoundaryBCELoss.pos_weight is None: add '
                "custom_hooks=[dict(type='BoundaryPosWeightHook')] to the "
                'config to count it in the training set, or set a number '
                '(tools/trgnet/boundary_pos_weight.py prints it)')
        loss = F.binary_cross_entropy_with_logits(
            logits,
            targets.to(logits.dtype),
            pos_weight=torch.tensor(self.pos_weight, device=logits.device),
            reduction='none') * mask
        per_sequence = loss.sum(dim=(1, 2)) / mask.sum(dim=(1, 2)).clamp(min=1)
        return self.loss_weight * per_sequence.mean()
