from typing import Optional

import torch


def relation_graph(
        embeddings: torch.Tensor,
        compute_dtype: Optional[torch.dtype] = torch.float64) -> torch.Tensor:
    """``1 - minmax(pairwise L2)`` of K embeddings: a (K, K) relation graph.

    TRG-Net (Ji et al., 2025) derives its text joint graph (TJG) and text
    action graph (TAG) from text embeddings this way, and ARIS compares the
    graph of segment features with the TAG. With D the pairwise L2 distances,
    ``G = 1 - (D - min D) / (max D - min D)`` (min and max over the whole
    matrix, so the diagonal is 1).

    Args:
        embeddings (torch.Tensor): Shape (K, D).
        compute_dtype (torch.dtype, optional): Precision of the distances;
            None keeps the input's. Defaults to float64 (the text priors).

    Returns:
        torch.Tensor: Shape (K, K), float32 when ``compute_dtype`` is given
        (the priors' dtype), else the input's dtype.
    """
    if compute_dtype is not None:
        embeddings = embeddings.to(compute_dtype)
    distance = torch.cdist(embeddings, embeddings)
    span = (distance.max() - distance.min()).clamp(min=1e-12)
    graph = 1 - (distance - distance.min()) / span
    return graph.float() if compute_dtype is not None else graph
