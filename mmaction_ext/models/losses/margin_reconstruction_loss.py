import torch
from mmaction.registry import MODELS
from torch import Tensor, nn

REDUCTIONS = ('sample', 'batch')


@MODELS.register_module()
class MarginReconstructionLoss(nn.Module):
    """L_rec of ProDA's Eq. (7): ``ReLU(MSE(F_o, F_r) - m2)``.

    The squared error is averaged over the valid nodes' elements (Eq. (7)
    writes a squared norm; an element mean keeps m2 independent of N, M
    and D, as the official code's margin 0.3 on ``F.mse_loss``).

    - ``reduction='sample'`` (paper): one MSE and margin per sample,
      averaged over the batch.
    - ``reduction='batch'`` (official code): one MSE over the batch.

    Args:
        margin (float): m2. Defaults to 0.3 (official value).
        reduction (str): ``'sample'`` or ``'batch'``. Defaults to
            ``'sample'``.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self,
                 margin: float = 0.3,
                 reduction: str = 'sample',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if reduction not in REDUCTIONS:
            raise ValueError(f'reduction must be one of {REDUCTIONS}')
        self.margin = margin
        self.reduction = reduction
        self.loss_weight = loss_weight

    def forward(self, target: Tensor, recon: Tensor, mask: Tensor) -> Tensor:
        """Args: target F_o, recon F_r (B, N, M, D); mask (B, N, M)."""
        valid = mask.unsqueeze(-1).to(recon.dtype)
        err = (target - recon).pow(2) * valid
        count = valid.sum((1, 2, 3)) * recon.shape[-1]
        if self.reduction == 'batch':
            mse = err.sum() / count.sum().clamp(min=1.)
            return self.loss_weight * torch.relu(mse - self.margin)
        mse = err.sum((1, 2, 3)) / count.clamp(min=1.)
        return self.loss_weight * torch.relu(mse - self.margin).mean()
