import torch
import torch.nn as nn
import torch.nn.functional as F

from mmaction.registry import MODELS


@MODELS.register_module()
class KnowledgeConsistencyLoss(nn.Module):
    """One minus the mean cosine of learned and frozen class embeddings.

    SAGE Eq. 15: ``L_kg = 1 - 1/N_c sum_i cos(F'_L,i, W_clip,i)``, keeping
    the prompted class embeddings near CLIP's (as KgCoOp does).

    Args:
        loss_weight (float): Multiplier (``gamma`` of Eq. 10).
            Defaults to 1.
    """

    def __init__(self, loss_weight: float = 1.) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, embeddings: torch.Tensor,
                reference: torch.Tensor) -> torch.Tensor:
        """Loss of (C, D) embeddings against (C, D) frozen references."""
        if embeddings.shape != reference.shape:
            raise ValueError(f'embeddings {tuple(embeddings.shape)} and '
                             f'reference {tuple(reference.shape)} differ')
        cosine = F.cosine_similarity(
            embeddings, reference.detach().to(embeddings.dtype), dim=-1)
        return self.loss_weight * (1 - cosine.mean())
