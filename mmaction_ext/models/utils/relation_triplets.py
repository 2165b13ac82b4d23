"""Segment relation triplets from per-pair class scores."""
from typing import List, Tuple

import torch

SCORE_MERGES = ('mean', 'product')


def segment_triplets(relation: torch.Tensor,
                     subject: torch.Tensor,
                     object_: torch.Tensor,
                     pred_topk: int = 10,
                     seg_topk: int = 200,
                     score_merge: str = 'mean') -> List[Tuple]:
    """Best (pair, subject, predicate, object, score) of one segment.

    Per pair the ``pred_topk`` predicates are combined with the pair's
    subject and object class; the triplet score merges the three scores
    (``'mean'``: RePro's ``score_merge='mean'``; ``'product'``: VidVRD-
    helper's). The ``seg_topk`` best triplets of the segment are kept.

    Args:
        relation (torch.Tensor): (P, R) predicate scores.
        subject (torch.Tensor): (P, 2): class index and score per pair.
        object_ (torch.Tensor): (P, 2): class index and score per pair.
        pred_topk (int): Predicates per pair. Defaults to 10.
        seg_topk (int): Triplets kept. Defaults to 200.
        score_merge (str): ``'mean'`` or ``'product'``. Defaults to
            ``'mean'``.

    Returns:
        list[tuple]: ``(pair, subject_class, predicate, object_class,
        score)`` by descending score (ties: pair, then predicate order).
    """
    if score_merge not in SCORE_MERGES:
        raise ValueError(f'score_merge must be one of {SCORE_MERGES}, got '
                         f'{score_merge!r}')
    if relation.numel() == 0:
        return []
    scores, predicates = relation.float().topk(
        min(pred_topk, relation.size(1)), dim=1)
    sub_score = subject[:, 1:2].float()
    obj_score = object_[:, 1:2].float()
    if score_merge == 'mean':
        merged = (scores + sub_score + obj_score) / 3
    else:
        merged = scores * sub_score * obj_score
    flat = merged.flatten()
    order = sorted(range(len(flat)), key=lambda i: -float(flat[i]))
    order = order[:seg_topk]
    k = predicates.size(1)
    return [(i // k, int(subject[i // k, 0]), int(predicates[i // k, i % k]),
             int(object_[i // k, 0]), float(flat[i])) for i in order]
