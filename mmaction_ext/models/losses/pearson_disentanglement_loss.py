import torch
from mmaction.registry import MODELS
from torch import Tensor, nn

REDUCTIONS = ('sample', 'batch')


@MODELS.register_module()
class PearsonDisentanglementLoss(nn.Module):
    """L_dis of ProDA's Eq. (5): margin-relaxed |Pearson correlation|.

    phi and psi are the identity: each branch's features of a sample are
    flattened over its valid nodes and channels.

    - ``reduction='sample'`` (paper): per sample b, ``ReLU(|corr(F_u_b,
      F_s_b)| - m1)`` with the correlation over that sample's elements,
      averaged over the batch.
    - ``reduction='batch'`` (official code ``dis_loss``): every node vector
      is centred over its channels, sigma of each branch is one global
      root-mean-square over all nodes and channels, and a single
      ``ReLU(|mean(x1 x2)| / (sigma1 sigma2) - m1)`` is returned.

    Args:
        margin (float): m1. Defaults to 0.4 (official value).
        reduction (str): ``'sample'`` or ``'batch'``. Defaults to
            ``'sample'``.
        eps (float): Guards the division. Defaults to 1e-6.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self,
                 margin: float = 0.4,
                 reduction: str = 'sample',
                 eps: float = 1e-6,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if reduction not in REDUCTIONS:
            raise ValueError(f'reduction must be one of {REDUCTIONS}')
        self.margin = margin
        self.reduction = reduction
        self.eps = eps
        self.loss_weight = loss_weight

    def forward(self, f_u: Tensor, f_s: Tensor, mask: Tensor) -> Tensor:
        """Args: f_u, f_s (B, N, M, D); mask bool (B, N, M)."""
        valid = mask.unsqueeze(-1).to(f_u.dtype)
        if self.reduction == 'batch':
            x1 = (f_u - f_u.mean(-1, keepdim=True))[mask]
            x2 = (f_s - f_s.mean(-1, keepdim=True))[mask]
            corr = (x1 * x2).mean().abs() / (
                x1.pow(2).mean().sqrt() * x2.pow(2).mean().sqrt() + self.eps)
            return self.loss_weight * torch.relu(corr - self.margin)
        count = (valid.sum((1, 2, 3)) * f_u.shape[-1]).clamp(min=1.)
        dims = (1, 2, 3)

        def centred(x):
            mean = (x * valid).sum(
                dims, keepdim=True) / count.view(-1, 1, 1, 1)
            return (x - mean) * valid

        x1, x2 = centred(f_u), centred(f_s)
        cov = (x1 * x2).sum(dims)
        corr = cov.abs() / (
            x1.pow(2).sum(dims).sqrt() * x2.pow(2).sum(dims).sqrt() + self.eps)
        return self.loss_weight * torch.relu(corr - self.margin).mean()
