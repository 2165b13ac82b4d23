"""ProDA's AD loss (Eq. 5-7) against plain loop implementations."""
import math

import pytest
import torch

from mmaction_ext.models.losses import (MarginReconstructionLoss,
                                        PearsonDisentanglementLoss)


def graph(seed=0, b=3, n=2, m=3, d=4):
    gen = torch.Generator().manual_seed(seed)
    mask = torch.rand(b, n, m, generator=gen) > 0.3
    mask[:, 0, 0] = True
    return (torch.randn(b, n, m, d,
                        generator=gen), torch.randn(b, n, m, d,
                                                    generator=gen), mask)


def values(x, mask, b):
    """The valid elements of sample b, as a flat Python list."""
    out = []
    for i in range(x.shape[1]):
        for j in range(x.shape[2]):
            if mask[b, i, j]:
                out.extend(x[b, i, j].tolist())
    return out


def pearson(a, b):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    va = sum((x - ma)**2 for x in a)
    vb = sum((y - mb)**2 for y in b)
    return cov / math.sqrt(va * vb)


@pytest.mark.parametrize('margin', [0., 0.1])
def test_dis_per_sample(margin):
    f_u, f_s, mask = graph()
    loss = PearsonDisentanglementLoss(margin=margin)(f_u, f_s, mask)
    ref = sum(
        max(
            abs(pearson(values(f_u, mask, b), values(f_s, mask, b))) -
            margin, 0.) for b in range(3)) / 3
    assert loss.item() == pytest.approx(ref, rel=1e-4, abs=1e-6)


def test_dis_whole_batch_as_official_code():
    f_u, f_s, mask = graph()
    loss = PearsonDisentanglementLoss(margin=0., reduction='batch')
    x1, x2 = [], []
    for b in range(3):
        for i in range(2):
            for j in range(3):
                if mask[b, i, j]:
                    u, s = f_u[b, i, j].tolist(), f_s[b, i, j].tolist()
                    x1.extend(v - sum(u) / 4 for v in u)
                    x2.extend(v - sum(s) / 4 for v in s)
    n = len(x1)
    corr = abs(sum(a * b for a, b in zip(x1, x2)) / n) / (
        math.sqrt(sum(a * a for a in x1) / n) *
        math.sqrt(sum(b * b for b in x2) / n))
    assert loss(f_u, f_s, mask).item() == pytest.approx(corr, rel=1e-4)


def test_dis_identical_features_and_gradient():
    f_u, _, mask = graph()
    f_u.requires_grad_(True)
    loss = PearsonDisentanglementLoss(margin=0.4)(f_u, f_u * 2 + 1, mask)
    assert loss.item() == pytest.approx(0.6, abs=1e-4)
    loss.backward()
    assert f_u.grad is not None and torch.isfinite(f_u.grad).all()
    # below the margin there is no penalty
    f_u, f_s, mask = graph(1)
    assert PearsonDisentanglementLoss(margin=1.)(f_u, f_s, mask).item() == 0


@pytest.mark.parametrize('reduction', ['sample', 'batch'])
def test_rec(reduction):
    target, recon, mask = graph(2)
    loss = MarginReconstructionLoss(margin=0.5, reduction=reduction)
    errs = []
    for b in range(3):
        t, r = values(target, mask, b), values(recon, mask, b)
        errs.append([(x - y)**2 for x, y in zip(t, r)])
    if reduction == 'sample':
        ref = sum(max(sum(e) / len(e) - 0.5, 0.) for e in errs) / 3
    else:
        flat = [v for e in errs for v in e]
        ref = max(sum(flat) / len(flat) - 0.5, 0.)
    assert loss(target, recon, mask).item() == pytest.approx(ref, rel=1e-5)
    # padded nodes do not count
    recon2 = recon.clone()
    recon2[~mask] = 100.
    assert loss(target, recon2, mask).item() == pytest.approx(ref, rel=1e-5)
    with pytest.raises(ValueError, match='reduction'):
        MarginReconstructionLoss(reduction='sum')
