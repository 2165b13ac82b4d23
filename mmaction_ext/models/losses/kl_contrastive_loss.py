from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmaction.registry import MODELS


def kl_to_targets(logits: torch.Tensor,
                  positives: torch.Tensor,
                  target_sharpness: Optional[float] = 10.) -> torch.Tensor:
    """Row-wise KL(target || softmax(logits)), summed per row, row-averaged.

    Args:
        logits (torch.Tensor): Similarity logits, shape (B, K).
        positives (torch.Tensor): 1 where row and column match, shape (B, K).
        target_sharpness (float, optional): Target distribution
            ``softmax(target_sharpness * positives)`` as in the official GAP
            code (10: negatives keep a weight of e^-10). None uses the exact
            normalised 0/1 matrix, as the paper writes it.

    Returns:
        torch.Tensor: Scalar loss.
    """
    positives = positives.to(logits.dtype)
    if target_sharpness is None:
        target = positives / positives.sum(1, keepdim=True).clamp(min=1)
    else:
        target = F.softmax(target_sharpness * positives, dim=1)
    return F.kl_div(
        F.log_softmax(logits, dim=1), target, reduction='sum') / logits.size(0)


@MODELS.register_module()
class KLContrastiveLoss(nn.Module):
    """Symmetric KL-divergence contrastive loss with same-class positives.

    For features ``x`` (B, D) and ``y`` (B', D) with class labels, the logits
    are ``scale * cos(x_i, y_j)`` and every same-class pair is a positive, so
    several positives per row are allowed (unlike CLIP's cross-entropy):

        L = (KL(p_target || p_x->y) + KL(p_target^T || p_y->x)) / 2

    (GAP Eq. 5; TRG-Net's ARIS uses the same form).

    Args:
        target_sharpness (float, optional): See :func:`kl_to_targets`.
            Defaults to 10 (official GAP code).
        symmetric (bool): Average both directions. Defaults to True.
        loss_weight (float): Multiplier of the loss. Defaults to 1.
    """

    def __init__(self,
                 target_sharpness: Optional[float] = 10.,
                 symmetric: bool = True,
                 loss_weight: float = 1.) -> None:
        super().__init__()
        self.target_sharpness = target_sharpness
        self.symmetric = symmetric
        self.loss_weight = loss_weight

    def forward(self,
                x: torch.Tensor,
                y: torch.Tensor,
                x_labels: torch.Tensor,
                y_labels: Optional[torch.Tensor] = None,
                logit_scale: torch.Tensor = 1.) -> torch.Tensor:
        """Compute the loss.

        Args:
            x (torch.Tensor): Features, shape (B, D).
            y (torch.Tensor): Features, shape (B', D).
            x_labels (torch.Tensor): Labels of ``x``, shape (B, ).
            y_labels (torch.Tensor, optional): Labels of ``y``, shape (B', ).
                Defaults to ``x_labels`` (paired features).
            logit_scale (torch.Tensor | float): Multiplier of the cosine
                similarities.

        Returns:
            torch.Tensor: Scalar loss.
        """
        y_labels = x_labels if y_labels is None else y_labels
        logits = logit_scale * F.normalize(
            x, dim=-1) @ F.normalize(
                y, dim=-1).t()
        positives = x_labels[:, None] == y_labels[None, :]
        loss = kl_to_targets(logits, positives, self.target_sharpness)
        if self.symmetric:
            loss = (loss + kl_to_targets(logits.t(), positives.t(),
                                         self.target_sharpness)) / 2
        return self.loss_weight * loss
