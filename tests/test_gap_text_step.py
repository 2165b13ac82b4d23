"""GAP's text step: length buckets, activation checkpointing, bf16 autocast."""
import itertools

import pytest
import torch
from gap_helpers import tiny_gap_model
from mmengine.registry import init_default_scope

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmaction_ext.models.text_encoders.base_text_encoder import best_buckets

init_default_scope('mmaction')


def tiny_gap(minilm_path, **head):
    torch.manual_seed(0)
    return tiny_gap_model(minilm_path, **head)[1]


def fixed_batch(seed=0):
    """GAP head features (6, 2, 16, 5, 25) and labels of a seeded batch."""
    torch.manual_seed(seed)
    feats = torch.randn(6, 2, 16, 5, 25)
    samples = [ActionDataSample().set_gt_label(c) for c in [0, 3, 3, 7, 1, 0]]
    return feats, samples


def gap_loss_and_grads(model, seed=0):
    """GAP loss of a fixed batch and the gradients of all parameters."""
    feats, samples = fixed_batch(seed)
    model.zero_grad()
    loss = model.gap_head.loss(feats, samples)['loss_gap']
    loss.backward()
    grads = {
        name: p.grad.clone()
        for name, p in model.gap_head.named_parameters() if p.grad is not None
    }
    return loss.detach(), grads


def padded_tokens(lengths, sizes):
    total, start = 0, 0
    for size in sizes:
        total += size * lengths[start + size - 1]
        start += size
    return total


def test_best_buckets_is_the_least_padding_partition():
    generator = torch.Generator().manual_seed(0)
    for n in (1, 2, 5, 9):
        lengths = sorted(torch.randint(3, 40, (n, ), generator=generator))
        lengths = [int(x) for x in lengths]
        for max_buckets in (1, 2, 4):
            sizes = best_buckets(lengths, max_buckets)
            assert sum(sizes) == n and all(s > 0 for s in sizes)
            assert len(sizes) <= max_buckets
            best = min(  # brute force over every set of cut points
                padded_tokens(lengths,
                              [b - a for a, b in zip((0, ) + c, c + (n, ))])
                for k in range(min(max_buckets, n))
                for c in itertools.combinations(range(1, n), k))
            assert padded_tokens(lengths, sizes) == best
    assert best_buckets([], 4) == []
    assert best_buckets([5, 5, 5], 4) == [3]  # no gain: one batch


def test_bucketed_encoding_equals_one_batch(minilm_path):
    encoder = MODELS.build(dict(type='HFTextEncoder',
                                model_path=minilm_path)).eval()
    texts = [
        'wave', 'a person waves the right hand above the head slowly', 'jump',
        'sit down on a chair', 'wave', 'jump up and land on both feet'
    ]
    with torch.no_grad():
        one = encoder(texts)
        bucketed = encoder(texts, batching='bucket')
        single = torch.stack([encoder([t])[0] for t in texts])
    assert torch.allclose(bucketed, one, atol=1e-5)
    assert torch.allclose(bucketed, single, atol=1e-5)  # rows in order
    with pytest.raises(ValueError, match='batching'):
        encoder(texts, batching='pack')


def test_bucketing_and_checkpointing_keep_loss_and_gradients(minilm_path):
    loss, grads = gap_loss_and_grads(tiny_gap(minilm_path))
    for head in (dict(text_batching='longest'),
                 dict(text_checkpointing=True)):
        other_loss, other_grads = gap_loss_and_grads(
            tiny_gap(minilm_path, **head))
        assert torch.allclose(other_loss, loss, atol=1e-5), head
        assert other_grads.keys() == grads.keys()
        for name, grad in grads.items():
            assert torch.allclose(other_grads[name], grad, atol=1e-5), name
    with pytest.raises(ValueError, match='text_batching'):
        tiny_gap(minilm_path, text_batching='pack')


def test_bf16_autocast_keeps_fp32_weights_and_gradients(minilm_path):
    model = tiny_gap(minilm_path)
    loss, _ = gap_loss_and_grads(model)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        feats, samples = fixed_batch()
        model.zero_grad()
        amp_loss = model.gap_head.loss(feats, samples)['loss_gap']
    amp_loss.backward()
    encoder = model.gap_head.text_encoder
    assert all(p.dtype == torch.float32 for p in encoder.parameters())
    grads = [p.grad for p in encoder.parameters() if p.grad is not None]
    assert grads and all(g.dtype == torch.float32 for g in grads)
    assert all(torch.isfinite(g).all() for g in grads)
    assert torch.isclose(amp_loss.float(), loss, rtol=5e-2)
