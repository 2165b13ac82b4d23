"""SAGE's losses against plain element-by-element references."""
import math

import pytest
import torch

from mmaction_ext.models.losses import (KnowledgeConsistencyLoss,
                                        SigmoidFocalLoss, sigmoid_focal_loss)


def reference_focal(logits, targets, alpha, gamma):
    """Sum over every element of -a_t (1 - p_t)^gamma log p_t, per sample."""
    total = 0.
    rows = logits.tolist() if logits.dim() == 2 else [[v]
                                                      for v in logits.tolist()]
    labels = targets.tolist() if targets.dim() == 2 else [
        [v] for v in targets.tolist()
    ]
    for row, label in zip(rows, labels):
        for x, t in zip(row, label):
            p = 1 / (1 + math.exp(-x))
            p_t = p if t == 1 else 1 - p
            a_t = 1. if alpha is None else (alpha if t == 1 else 1 - alpha)
            total += -a_t * (1 - p_t)**gamma * math.log(p_t)
    return total


@pytest.mark.parametrize('alpha,gamma', [(0.25, 2.), (None, 0.), (0.5, 1.)])
def test_focal_loss_equals_the_plain_formula(alpha, gamma):
    torch.manual_seed(0)
    logits = torch.randn(5, 7, dtype=torch.float64) * 3
    targets = (torch.rand(5, 7) > 0.7).double()
    expected = reference_focal(logits, targets, alpha, gamma)
    ours = sigmoid_focal_loss(logits, targets, alpha, gamma)
    assert ours.item() == pytest.approx(expected / 5, rel=1e-9)
    mean = sigmoid_focal_loss(logits, targets, alpha, gamma, 'elements')
    assert mean.item() == pytest.approx(expected / 35, rel=1e-9)


def test_focal_loss_binary_and_module_weight():
    logits = torch.tensor([2., -1., 0.5], dtype=torch.float64)
    targets = torch.tensor([1., 0., 0.], dtype=torch.float64)
    loss = SigmoidFocalLoss(loss_weight=0.1)(logits, targets)
    expected = reference_focal(logits, targets, 0.25, 2.) / 3
    assert loss.item() == pytest.approx(0.1 * expected, rel=1e-9)


def test_focal_loss_gamma_zero_is_weighted_bce_and_has_gradients():
    logits = torch.randn(4, 3, requires_grad=True)
    targets = (torch.rand(4, 3) > 0.5).float()
    loss = sigmoid_focal_loss(logits, targets, None, 0., 'elements')
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets)
    assert torch.allclose(loss, bce)
    loss.backward()
    assert logits.grad.abs().sum() > 0


def test_focal_loss_bad_input():
    with pytest.raises(ValueError, match='differ in shape'):
        sigmoid_focal_loss(torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(ValueError, match='normalizer'):
        SigmoidFocalLoss(normalizer='batch')
    assert sigmoid_focal_loss(torch.zeros(0, 3), torch.zeros(0, 3)) == 0


def test_knowledge_consistency_equals_eq_15():
    torch.manual_seed(0)
    learned = torch.randn(6, 8, dtype=torch.float64, requires_grad=True)
    frozen = torch.randn(6, 8, dtype=torch.float64)
    cosines = [
        float(a @ b / (a.norm() * b.norm()))
        for a, b in zip(learned.detach(), frozen)
    ]
    loss = KnowledgeConsistencyLoss(loss_weight=2.)(learned, frozen)
    assert loss.item() == pytest.approx(2 * (1 - sum(cosines) / 6), rel=1e-9)
    loss.backward()
    assert learned.grad.abs().sum() > 0
    same = KnowledgeConsistencyLoss()(frozen * 3, frozen)
    assert same.item() == pytest.approx(0, abs=1e-12)
    with pytest.raises(ValueError, match='differ'):
        KnowledgeConsistencyLoss()(learned, frozen[:3])
