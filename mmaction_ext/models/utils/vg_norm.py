import torch
import torch.distributed as dist
from mmaction.registry import MODELS
from torch import Tensor, nn

STD_AXES = ('frame', 'node')
TRAIN_MEANS = ('batch', 'running')


@MODELS.register_module()
class VGNorm(nn.Module):
    """Video Graph Normalization (ProDA, Eq. 3-4).

    A frame-wise global mean mu (N, ) over the batch, the valid nodes and
    the channels keeps frames consistent; a learnable per-frame scale alpha
    of that mean keeps the difference between videos; gamma, beta (N, ) are
    per-frame affine parameters::

        mu_g <- momentum * mu_g + (1 - momentum) * mu       (training)
        y = x - alpha * mean;  out = gamma * y / sigma + beta

    Under DDP the sums behind mu are all-reduced, so every rank uses the
    same mean and keeps the same ``running_mean``. The mean carries no
    gradient (as the official ``GlobalNorm4``). Padded nodes stay zero.

    Args:
        num_frames (int): N, the fixed number of frames per video.
        momentum (float): alpha_m of Eq. (3). Defaults to 0.9.
        train_mean (str): Mean used in training: ``'batch'`` (this batch's
            mu, as BatchNorm and the official code) or ``'running'``
            (the updated mu_g, Eq. 4 read literally). Evaluation always
            uses mu_g. Defaults to ``'batch'``.
        std_over (str): sigma per video and frame over its valid nodes and
            channels (``'frame'``, Eq. 4, divisor M*D - 1) or per node over
            the channels (``'node'``, official code). Defaults to
            ``'frame'``.
        eps (float): Added to the variance. Defaults to 1e-5.
        sync (bool): All-reduce the mean under DDP. Defaults to True.
    """

    def __init__(self,
                 num_frames: int,
                 momentum: float = 0.9,
                 train_mean: str = 'batch',
                 std_over: str = 'frame',
                 eps: float = 1e-5,
                 sync: bool = True) -> None:
        super().__init__()
        if train_mean not in TRAIN_MEANS:
            raise ValueError(f'train_mean must be one of {TRAIN_MEANS}')
        if std_over not in STD_AXES:
            raise ValueError(f'std_over must be one of {STD_AXES}')
        self.num_frames = num_frames
        self.momentum = momentum
        self.train_mean = train_mean
        self.std_over = std_over
        self.eps = eps
        self.sync = sync
        self.alpha = nn.Parameter(torch.ones(num_frames))
        self.gamma = nn.Parameter(torch.ones(num_frames))
        self.beta = nn.Parameter(torch.zeros(num_frames))
        self.register_buffer('running_mean', torch.zeros(num_frames))

    @torch.no_grad()
    def batch_mean(self, x: Tensor, mask: Tensor) -> Tensor:
        """mu of Eq. (3): (N, ), all-reduced under DDP."""
        valid = mask.unsqueeze(-1).to(x.dtype)
        stats = torch.stack([(x * valid).sum((0, 2, 3)),
                             valid.sum((0, 2, 3)) * x.shape[-1]])
        if self.sync and dist.is_available() and dist.is_initialized():
            dist.all_reduce(stats)
        return stats[0] / stats[1].clamp(min=1.)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        """Normalize node features (B, N, M, D) with mask (B, N, M)."""
        if x.shape[1] != self.num_frames:
            raise ValueError(f'VGNorm was built for {self.num_frames} '
                             f'frames, got {x.shape[1]}')
        if self.training:
            mean = self.batch_mean(x, mask)
            self.running_mean.mul_(self.momentum).add_(
                (1 - self.momentum) * mean)
            if self.train_mean == 'running':
                mean = self.running_mean.clone()
        else:
            mean = self.running_mean
        frame = (slice(None), None, None)
        valid = mask.unsqueeze(-1).to(x.dtype)
        y = (x - (self.alpha * mean)[frame]) * valid
        if self.std_over == 'frame':
            count = valid.sum((2, 3), keepdim=True) * x.shape[-1]
            var = y.pow(2).sum((2, 3), keepdim=True) / (count - 1).clamp(1.)
        else:
            var = y.pow(2).sum(-1, keepdim=True) / max(x.shape[-1] - 1, 1)
        out = self.gamma[frame] * y / (var + self.eps).sqrt()
        return (out + self.beta[frame]) * valid
