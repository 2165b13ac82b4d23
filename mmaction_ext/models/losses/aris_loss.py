from typing import Dict

import torch
import torch.nn as nn

from mmaction.registry import MODELS
from mmaction_ext.evaluation.functional import get_segments
from mmaction_ext.utils.relation_graph import relation_graph
from .kl_contrastive_loss import KLContrastiveLoss, kl_to_targets


@MODELS.register_module()
class ARISLoss(nn.Module):
    """Absolute-Relative Inter-class Supervision (TRG-Net).

    Ground-truth segments are pooled from the projected backbone feature.
    *Absolute*: the symmetric KL contrastive loss between segment features
    and the text embeddings of their classes (same-class pairs positive).
    *Relative*: the segments' feature graph ``1 - minmax(pairwise L2)`` is
    pulled towards the text action graph (TAG) restricted to their labels,
    with the same KL form.

    Args:
        absolute_weight (float): Defaults to 0.8.
        relative_weight (float): Defaults to 1.0.
        target_sharpness (float): See :func:`kl_to_targets`. Defaults to 10.
        drop_last_padded_segment (bool): The official code loses the last
            ground-truth segment of every sequence shorter than the batch's
            longest; True reproduces that, False keeps every segment.
            Defaults to True.
        ignore_index (int): Padding label. Defaults to 255.
    """

    def __init__(self,
                 absolute_weight: float = 0.8,
                 relative_weight: float = 1.,
                 target_sharpness: float = 10.,
                 drop_last_padded_segment: bool = True,
                 ignore_index: int = 255) -> None:
        super().__init__()
        self.absolute_weight = absolute_weight
        self.relative_weight = relative_weight
        self.target_sharpness = target_sharpness
        self.drop_last_padded_segment = drop_last_padded_segment
        self.ignore_index = ignore_index
        self.contrastive = KLContrastiveLoss(target_sharpness)

    def pool_segments(self, feature: torch.Tensor, labels: torch.Tensor):
        """Segment features (S, D) and labels (S, ) of a padded batch."""
        pooled, classes = [], []
        for n in range(feature.shape[0]):
            segments = get_segments(
                labels[n].cpu().numpy(), ignore_index=self.ignore_index)
            padded = bool((labels[n] == self.ignore_index).any())
            if padded and self.drop_last_padded_segment:
                segments = segments[:-1]
            for label, start, end in segments:
                pooled.append(feature[n, :, start:end].mean(1))
                classes.append(label)
        return pooled, classes

    def forward(self, feature: torch.Tensor, labels: torch.Tensor,
                text_embeddings: torch.Tensor, tag: torch.Tensor,
                logit_scale: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Compute both terms.

        Args:
            feature (torch.Tensor): Projected feature (N, D, T).
            labels (torch.Tensor): Frame labels (N, T), padding 255.
            text_embeddings (torch.Tensor): Class embeddings (K, D).
            tag (torch.Tensor): Text action graph (K, K).
            logit_scale (torch.Tensor): Multiplier of cosine similarities.

        Returns:
            dict: ``loss_aris_abs`` and ``loss_aris_rel``.
        """
        pooled, classes = self.pool_segments(feature, labels)
        if len(pooled) < 2:  # nothing to contrast
            zero = feature.sum() * 0
            return dict(loss_aris_abs=zero, loss_aris_rel=zero)
        segments = torch.stack(pooled)
        classes = torch.tensor(classes, device=feature.device)
        absolute = self.contrastive(
            segments,
            text_embeddings[classes].to(segments.dtype),
            classes,
            logit_scale=logit_scale)
        graph = relation_graph(segments, compute_dtype=None)
        target = tag[classes][:, classes].to(graph.dtype)
        relative = kl_to_targets(graph, target, self.target_sharpness)
        return dict(
            loss_aris_abs=self.absolute_weight * absolute,
            loss_aris_rel=self.relative_weight * relative)
