"""VGPNN computed on edge tokens equals the dense formulation over all
M * M pairs (a plain reference below): layer outputs, edge weights,
gradients, the packed temporal encoder, and a ProDA loss."""
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.registry import DefaultScope
from torch import nn

from mmaction_ext.models import VGPNNLayer
from mmaction_ext.models.utils.packed_transformer import packed_encoder
from mmaction_ext.models.utils.scene_graph_ops import edge_tokens

B, N, M, D, REL = 3, 4, 4, 16, 6
TOL = dict(rtol=1e-5, atol=1e-6)


def reference_layer(layer, x, rel, mask):
    """VGPNNLayer as the paper writes it: every ordered pair of every
    frame, the temporal encoder over all N frames of every pair."""
    b, n, m, d = x.shape
    eye = torch.eye(m, dtype=torch.bool)
    edges = mask.unsqueeze(3) & mask.unsqueeze(2) & ~eye
    node_j = x.unsqueeze(3).expand(-1, -1, -1, m, -1)
    node_k = x.unsqueeze(2).expand(-1, -1, m, -1, -1)
    f = layer.edge(torch.cat([node_j, node_k, rel], -1))
    f = f * edges.unsqueeze(-1)
    seq = f.permute(0, 2, 3, 1, 4).reshape(b * m * m, n, d)
    valid = edges.permute(0, 2, 3, 1).reshape(b * m * m, n)
    # pairs that are never an edge attend to all keys; zeroed below
    ignore = ~(valid | ~valid.any(-1, keepdim=True))
    feats = layer.temporal(seq, src_key_padding_mask=ignore)
    feats = (feats * valid.unsqueeze(-1)).view(b, m, m, n, d)
    feats = feats.permute(0, 3, 1, 2, 4)
    weights = layer.link_weight(feats).squeeze(-1).sigmoid() * edges
    msgs = layer.message(torch.cat([node_j, feats], -1))
    msg = (weights.unsqueeze(-1) * msgs).sum(3)
    out = layer.fuse(torch.cat([x, layer.aggregate(x + msg)], -1))
    return out * mask.unsqueeze(-1), weights


def make_mask(kind, gen):
    mask = torch.rand(B, N, M, generator=gen) > 0.4
    mask[0, 1] = False  # a frame without nodes
    if kind == 'one_object':
        mask[:, :, 1:] = False
    elif kind == 'full':
        mask[:] = True
    elif kind == 'mixed':
        mask[1, :, 1:] = False
        mask[2] = True
    elif kind == 'empty':
        mask[:] = False
    return mask


def inputs(kind, seed=0):
    gen = torch.Generator().manual_seed(seed)
    mask = make_mask(kind, gen)
    x = torch.randn(B, N, M, D, generator=gen) * mask.unsqueeze(-1)
    rel = torch.randn(B, N, M, M, REL, generator=gen)
    return x.requires_grad_(), rel.requires_grad_(), mask


def make_layer(**kwargs):
    torch.manual_seed(0)
    cfg = dict(num_heads=2, ffn_dims=24, temporal_layers=2)
    cfg.update(kwargs)
    return VGPNNLayer(D, REL, **cfg)


def grads(out, weights, params):
    gen = torch.Generator().manual_seed(1)
    loss = (out * torch.randn(out.shape, generator=gen)).sum() + \
        (weights * torch.randn(weights.shape, generator=gen)).sum()
    return torch.autograd.grad(loss, params, allow_unused=True)


@pytest.mark.parametrize('kind',
                         ['random', 'one_object', 'full', 'mixed', 'empty'])
@pytest.mark.parametrize('mode', ['eval', 'train_without_dropout'])
def test_layer_equals_dense_reference(kind, mode):
    layer = make_layer(dropout=0. if mode != 'eval' else 0.1)
    layer.train(mode != 'eval')
    x, rel, mask = inputs(kind)
    out, weights = layer(x, rel, mask)
    ref_out, ref_weights = reference_layer(layer, x, rel, mask)
    torch.testing.assert_close(out, ref_out, **TOL)
    torch.testing.assert_close(weights, ref_weights, **TOL)
    assert (weights == 0).sum() == (ref_weights == 0).sum()
    names = ['x', 'rel'] + [name for name, _ in layer.named_parameters()]
    params = [x, rel] + list(layer.parameters())
    got = grads(out, weights, params)
    want = grads(ref_out, ref_weights, params)
    for name, got_grad, want_grad in zip(names, got, want):
        assert got_grad is not None, name
        torch.testing.assert_close(got_grad, want_grad, **TOL, msg=name)


def test_every_parameter_learns_and_rel_index_shares_rows():
    layer = make_layer().train()
    x, rel, mask = inputs('random')
    out, weights = layer(x, rel, mask)
    out.sum().backward()
    for name, param in layer.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
    index = torch.tensor([1, 0, 1])
    layer.eval()
    with torch.no_grad():
        shared = layer(x, rel, mask, index)
        repeated = layer(x, rel[index], mask)
    for got, want in zip(shared, repeated):
        torch.testing.assert_close(got, want, **TOL)
    with pytest.raises(ValueError, match='rel_index'):
        layer(x, rel[:2], mask, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r'does not fit'):
        layer(x, rel[:, :, :2], mask)


def test_checkpointing_gives_the_same_results_and_gradients():
    x, rel, mask = inputs('random')
    runs = []
    for with_cp in (False, True):
        layer = make_layer(with_cp=with_cp).train()  # dropout 0.1
        torch.manual_seed(1)
        out, weights = layer(x, rel, mask)
        params = [x] + list(layer.parameters())
        runs.append((out, weights) + grads(out, weights, params))
    for got, want in zip(*runs):
        torch.testing.assert_close(got, want, rtol=0, atol=0)


def test_edge_tokens_index_the_edges():
    edges = torch.rand(2, 3, 4, 4) > 0.5
    edges[1, :, 0, 1] = False  # never an edge: no sequence
    tokens = edge_tokens(edges)
    b, i, j, k = edges.nonzero(as_tuple=True)
    assert (edges.flatten()[tokens.pair]).all()
    assert len(tokens.pair) == edges.sum()
    assert (tokens.node_j == (b * 3 + i) * 4 + j).all()
    assert (tokens.node_k == (b * 3 + i) * 4 + k).all()
    assert tokens.num_seqs == edges.any(1).sum()
    seq, frame = tokens.slot // 3, tokens.slot % 3
    assert (frame == i).all() and len(set(tokens.slot.tolist())) == len(b)
    seq_of_pair = {}
    for s, pair in zip(seq.tolist(), zip(b.tolist(), j.tolist(), k.tolist())):
        assert seq_of_pair.setdefault(pair, s) == s  # one per (b, j, k)
    assert sorted(seq_of_pair.values()) == list(range(tokens.num_seqs))


@pytest.mark.parametrize('norm_first', [False, True])
def test_packed_encoder_equals_padded_encoder(norm_first):
    torch.manual_seed(0)
    encoder = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(
            8, 2, 16, 0., batch_first=True, norm_first=norm_first),
        2,
        norm=nn.LayerNorm(8),
        enable_nested_tensor=False)
    valid = torch.rand(5, 6) > 0.5
    valid[:, 0] |= ~valid.any(1)
    valid[1] = True
    seqs = torch.randn(5, 6, 8)
    ref = encoder(seqs, src_key_padding_mask=~valid)
    slots = valid.flatten().nonzero().squeeze(1)
    out = packed_encoder(encoder, seqs.flatten(0, 1)[slots], slots, 5, 6)
    torch.testing.assert_close(out, ref[valid], **TOL)


def test_proda_loss_and_gradients_equal_dense_reference(monkeypatch):
    from test_proda_recognizer import batch, model_cfg
    with DefaultScope.overwrite_default_scope('mmaction'):
        torch.manual_seed(0)
        model = MODELS.build(
            model_cfg(
                vgpnn=dict(
                    type='VGPNN',
                    num_relations=5,
                    num_layers=2,
                    layer_cfg=dict(num_heads=2, ffn_dims=32, dropout=0.),
                    norm_cfg=dict(type='NodeLayerNorm'))))
        data = batch(model)

    def run():
        losses = model(**data, mode='loss')
        total = sum(losses.values())
        model.zero_grad()
        total.backward()
        return losses, {
            name: p.grad.clone()
            for name, p in model.named_parameters() if p.grad is not None
        }

    model.eval()  # dropout off elsewhere, too
    losses, grad = run()

    def dense(self, x, rel, mask, rel_index=None):
        rel = rel if rel_index is None else rel[rel_index]
        return reference_layer(self, x, rel, mask)

    monkeypatch.setattr(VGPNNLayer, 'forward', dense)
    ref_losses, ref_grad = run()
    assert losses.keys() == ref_losses.keys()
    for key in losses:
        torch.testing.assert_close(losses[key], ref_losses[key], **TOL)
    assert grad.keys() == ref_grad.keys()
    for name in grad:
        torch.testing.assert_close(grad[name], ref_grad[name], **TOL)
