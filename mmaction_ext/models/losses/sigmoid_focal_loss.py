from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmaction.registry import MODELS

NORMALIZERS = ('samples', 'elements')


def sigmoid_focal_loss(logits: torch.Tensor,
                       targets: torch.Tensor,
                       alpha: Optional[float] = 0.25,
                       gamma: float = 2.,
                       normalizer: str = 'samples') -> torch.Tensor:
    """Sigmoid focal loss (Lin et al., ICCV 2017) of multi-label logits.

    Per element ``-a_t (1 - p_t)^gamma log p_t`` with ``p = sigmoid(x)``,
    ``p_t = p`` on positives and ``1 - p`` on negatives, ``a_t = alpha`` on
    positives and ``1 - alpha`` on negatives (no weighting when ``alpha`` is
    None). Written here because mmdet's version imports ``mmcv.ops``.

    Args:
        logits (torch.Tensor): (N, C) or (N, ) logits.
        targets (torch.Tensor): Same shape, 0/1 (or soft) targets.
        alpha (float, optional): Positive weight. Defaults to 0.25.
        gamma (float): Focusing exponent. Defaults to 2.
        normalizer (str): ``'samples'`` sums over the classes and averages
            over the N samples (SAGE Eq. 12 and 14: ``1/N sum_i
            FocalLoss_i``); ``'elements'`` averages over all elements
            (mmdet's mean). Defaults to ``'samples'``.

    Returns:
        torch.Tensor: Scalar loss (0 for an empty batch).
    """
    if normalizer not in NORMALIZERS:
        raise ValueError(f'normalizer must be one of {NORMALIZERS}, got '
                         f'{normalizer!r}')
    if logits.shape != targets.shape:
        raise ValueError(f'logits {tuple(logits.shape)} and targets '
                         f'{tuple(targets.shape)} differ in shape')
    targets = targets.to(logits.dtype)
    prob = logits.sigmoid()
    miss = (1 - prob) * targets + prob * (1 - targets)
    weight = miss.pow(gamma)
    if alpha is not None:
        weight = weight * (alpha * targets + (1 - alpha) * (1 - targets))
    loss = F.binary_cross_entropy_with_logits(
        logits, targets, reduction='none') * weight
    if logits.numel() == 0:
        return logits.sum()
    if normalizer == 'elements':
        return loss.mean()
    return loss.sum() / logits.size(0)


@MODELS.register_module()
class SigmoidFocalLoss(nn.Module):
    """:func:`sigmoid_focal_loss` as a loss module.

    Args:
        alpha (float, optional): Positive weight. Defaults to 0.25.
        gamma (float): Focusing exponent. Defaults to 2.
        normalizer (str): ``'samples'`` or ``'elements'``. Defaults to
            ``'samples'``.
        loss_weight (float): Multiplier of the loss. Defaults to 1.
    """

    def __init__(self,
                 alpha: Optional[float] = 0.25,
                 gamma: float = 2.,
                 normalizer: str = 'samples',
                 loss_weight: float = 1.) -> None:
        super().__init__()
        if normalizer not in NORMALIZERS:
            raise ValueError(f'normalizer must be one of {NORMALIZERS}, got '
                             f'{normalizer!r}')
        self.alpha, self.gamma = alpha, gamma
        self.normalizer = normalizer
        self.loss_weight = loss_weight

    def forward(self, logits: torch.Tensor,
                targets: torch.Tensor) -> torch.Tensor:
        """Weighted loss of (N, C) or (N, ) logits and targets."""
        return self.loss_weight * sigmoid_focal_loss(
            logits, targets, self.alpha, self.gamma, self.normalizer)
