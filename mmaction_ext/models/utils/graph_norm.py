import torch
from mmaction.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class GraphNorm(nn.Module):
    """GraphNorm (Cai et al., ICML 2021) on scene graphs, one graph a frame.

    Per frame graph and channel: ``gamma * (x - alpha * mu) / sigma +
    beta`` with mu, sigma over the frame's valid nodes and learnable
    per-channel alpha, gamma, beta. Node features (B, N, M, D), mask
    (B, N, M). An ablation of ProDA's Table 4.

    Args:
        embed_dims (int): D.
        eps (float): Added to the variance. Defaults to 1e-5.
    """

    def __init__(self, embed_dims: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.alpha = nn.Parameter(torch.ones(embed_dims))
        self.gamma = nn.Parameter(torch.ones(embed_dims))
        self.beta = nn.Parameter(torch.zeros(embed_dims))

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        valid = mask.unsqueeze(-1).to(x.dtype)
        count = valid.sum(2, keepdim=True).clamp(min=1.)
        mean = (x * valid).sum(2, keepdim=True) / count
        y = (x - self.alpha * mean) * valid
        var = y.pow(2).sum(2, keepdim=True) / count
        return (self.gamma * y / (var + self.eps).sqrt() + self.beta) * valid
