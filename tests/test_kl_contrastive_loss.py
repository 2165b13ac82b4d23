"""KL contrastive loss against a straightforward loop implementation."""
import math

import pytest
import torch

from mmaction_ext.models.losses import KLContrastiveLoss, kl_to_targets


def reference_kl(logits, labels_row, labels_col, sharpness):
    """sum_ij q_ij * (log q_ij - log p_ij) / B, written out with loops."""
    rows, cols = logits.shape
    total = 0.
    for i in range(rows):
        row_max = max(logits[i].tolist())
        log_norm = row_max + math.log(
            sum(math.exp(v - row_max) for v in logits[i].tolist()))
        if sharpness is None:
            positives = sum(labels_row[i] == labels_col[j]
                            for j in range(cols))
            q = [
                float(labels_row[i] == labels_col[j]) / positives
                for j in range(cols)
            ]
        else:
            weights = [
                math.exp(sharpness * (labels_row[i] == labels_col[j]))
                for j in range(cols)
            ]
            q = [w / sum(weights) for w in weights]
        for j in range(cols):
            if q[j] > 0:
                log_p = logits[i, j].item() - log_norm
                total += q[j] * (math.log(q[j]) - log_p)
    return total / rows


@pytest.mark.parametrize('sharpness', [10., None])
def test_kl_to_targets_matches_reference(sharpness):
    torch.manual_seed(0)
    logits = torch.randn(6, 6) * 3
    labels = [0, 1, 0, 2, 1, 0]
    positives = torch.tensor(labels)[:, None] == torch.tensor(labels)[None]
    ours = kl_to_targets(logits, positives, sharpness)
    assert ours.item() == pytest.approx(
        reference_kl(logits, labels, labels, sharpness), rel=1e-5)


def test_official_formulation_kldivloss_mean_times_batch():
    # The official code: nn.KLDivLoss()(log_softmax(pred), softmax(10*G)) * B
    torch.manual_seed(1)
    logits = torch.randn(5, 5)
    labels = torch.tensor([0, 1, 1, 2, 0])
    g = (labels[:, None] == labels[None]).float()
    official = torch.nn.KLDivLoss()(torch.log_softmax(logits, 1),
                                    torch.softmax(10 * g, 1)) * 5
    assert kl_to_targets(logits, g.bool()).item() == pytest.approx(
        official.item(), rel=1e-5)


def test_symmetric_loss_averages_both_directions():
    torch.manual_seed(2)
    x, y = torch.randn(4, 8), torch.randn(4, 8)
    labels = torch.tensor([0, 1, 0, 3])
    scale = torch.tensor(2.659)
    cos = torch.nn.functional.cosine_similarity(x[:, None], y[None], dim=-1)
    logits = scale * cos
    lab = labels.tolist()
    expected = (reference_kl(logits, lab, lab, 10.) +
                reference_kl(logits.t(), lab, lab, 10.)) / 2
    loss = KLContrastiveLoss()(x, y, labels, logit_scale=scale)
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_loss_is_lowest_when_features_agree_by_class():
    labels = torch.tensor([0, 1, 2, 0])
    text = torch.eye(3)[labels]
    aligned = KLContrastiveLoss()(text.clone(), text, labels, logit_scale=10.)
    shuffled = KLContrastiveLoss()(
        text[[1, 2, 0, 1]], text, labels, logit_scale=10.)
    assert aligned < shuffled


def test_gradients_flow_to_both_sides_and_the_scale():
    x = torch.randn(4, 8, requires_grad=True)
    y = torch.randn(4, 8, requires_grad=True)
    scale = torch.tensor(2.0, requires_grad=True)
    KLContrastiveLoss()(
        x, y, torch.tensor([0, 1, 0, 1]), logit_scale=scale).backward()
    assert x.grad.abs().sum() > 0 and y.grad.abs().sum() > 0
    assert scale.grad.abs() > 0
