import torch
import torch.nn as nn
import torch.nn.functional as F

from mmaction.registry import MODELS


@MODELS.register_module()
class GSTMSELoss(nn.Module):
    """Gaussian-similarity-weighted truncated MSE temporal smoothing loss.

    Penalises changes of the per-frame log-probabilities between neighbour
    frames, ``clamp((log p_{t+1} - log p_t)^2, 0, clamp_max)``, weighted by
    how similar the two input frames are, ``exp(-||x_{t+1} - x_t|| /
    (2 sigma^2))`` (so real transitions in the input are penalised less).
    Averaged over classes and valid frame pairs of each sequence, then over
    sequences. As in the official TRG-Net code, nothing is detached.

    Args:
        sigma (float): Width of the similarity. Defaults to 1.
        clamp_max (float): Truncation of the squared difference.
            Defaults to 16.
        loss_weight (float): Defaults to 1.

    Shapes:
        logits (N, K, T), features (N, F, T), mask (N, 1, T) -> scalar.
    """

    def __init__(self,
                 sigma: float = 1.,
                 clamp_max: float = 16.,
                 loss_weight: float = 1.) -> None:
        super().__init__()
        self.sigma = sigma
        self.clamp_max = clamp_max
        self.loss_weight = loss_weight

    def forward(self, logits, features, mask):
        log_p = F.log_softmax(logits, dim=1)
        change = (log_p[:, :, 1:] - log_p[:, :, :-1])**2
        change = change.clamp(max=self.clamp_max).mean(1)  # (N, T - 1)
        distance = (features[:, :, 1:] - features[:, :, :-1]).norm(dim=1)
        similarity = torch.exp(-distance / (2 * self.sigma**2))
        pairs = (mask[:, 0, 1:] * mask[:, 0, :-1]).to(logits.dtype)
        per_sequence = (similarity * change *
                        pairs).sum(1) / pairs.sum(1).clamp(min=1)
        return self.loss_weight * per_sequence.mean()
