import torch
from mmaction.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class FrameBatchNorm(nn.Module):
    """BatchNorm with the frames as channels, over valid nodes only.

    Per frame, mean and variance over the batch, the valid nodes and the
    channels (the official code's BatchNorm-over-frames variant), running
    statistics for evaluation, per-frame gamma/beta. An ablation of ProDA's
    Table 4. Same call as :class:`VGNorm`; not synchronised across GPUs
    (wrap the model with ``SyncBatchNorm`` semantics elsewhere if needed).

    Args:
        num_frames (int): N.
        momentum (float): Weight of the new batch in the running
            statistics (PyTorch's convention). Defaults to 0.1.
        eps (float): Defaults to 1e-5.
    """

    def __init__(self,
                 num_frames: int,
                 momentum: float = 0.1,
                 eps: float = 1e-5) -> None:
        super().__init__()
        self.momentum = momentum
        self.eps = eps
        self.gamma = nn.Parameter(torch.ones(num_frames))
        self.beta = nn.Parameter(torch.zeros(num_frames))
        self.register_buffer('running_mean', torch.zeros(num_frames))
        self.register_buffer('running_var', torch.ones(num_frames))

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        valid = mask.unsqueeze(-1).to(x.dtype)
        frame = (slice(None), None, None)
        if self.training:
            count = (valid.sum((0, 2, 3)) * x.shape[-1]).clamp(min=1.)
            mean = (x * valid).sum((0, 2, 3)) / count
            var = ((x - mean[frame]).pow(2) * valid).sum((0, 2, 3)) / count
            with torch.no_grad():
                self.running_mean.lerp_(mean, self.momentum)
                self.running_var.lerp_(var, self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[frame]) / (var[frame] + self.eps).sqrt()
        return (self.gamma[frame] * y + self.beta[frame]) * valid
