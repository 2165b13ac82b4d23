"""ProDA building blocks: shapes, gradients, masking and equations."""
import os
import tempfile

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from mmaction_ext.models import (VGPNN, DualAIEncoder, DynamicPromptModule,
                                 GateFusion, GraphReadout, SimplePrompt,
                                 VGPNNLayer)
from mmaction_ext.models.utils import (FrameBatchNorm, GraphNorm,
                                       NodeLayerNorm, VGNorm)

B, N, M, D, R, C = 2, 4, 3, 8, 5, 10


def graph(seed=0):
    gen = torch.Generator().manual_seed(seed)
    mask = torch.rand(B, N, M, generator=gen) > 0.3
    mask[:, :, 0] = True  # the person slot
    mask[1, :, 2] = False  # an object absent from a whole video
    x = torch.randn(B, N, M, D, generator=gen) * mask.unsqueeze(-1)
    return x, mask


def perturb_padding(x, mask):
    """Padded nodes with other (garbage) values."""
    y = x.clone()
    y[~mask] = 50.
    return y


def test_encoder_shapes_padding_and_gradient():
    torch.manual_seed(0)
    x, mask = graph()
    enc = DualAIEncoder(D, embed_dims=16, num_heads=2, ffn_dims=32).eval()
    out = enc(x, mask)
    assert out.shape == (B, N, M, 16)
    assert (out[~mask] == 0).all()
    torch.testing.assert_close(out, enc(perturb_padding(x, mask), mask))
    enc.train()
    enc(x, mask).sum().backward()
    assert all(p.grad is not None for p in enc.parameters())
    plain = DualAIEncoder(D, 16, 2, 32, streams=('st', 'ts'))
    assert set(plain.paths) == {'st', 'ts'}
    with pytest.raises(ValueError, match='streams'):
        DualAIEncoder(D, streams=('xy', ))


def test_dpm_equation_and_weights():
    torch.manual_seed(0)
    x, mask = graph()
    spec = (torch.rand(B, C) > 0.5).float()
    dpm = DynamicPromptModule(C, D, num_prompts=3)
    out, alpha = dpm(x, spec, mask)
    assert alpha.shape == (B, N, M, 3)
    assert ((alpha >= 0) & (alpha <= 1)).all()
    for b in range(B):
        q = dpm.candidates(spec[b]).view(3, D)
        for i in range(N):
            for j in range(M):
                a = torch.sigmoid(
                    dpm.weight_proj(dpm.spec_proj(spec[b]) + x[b, i, j]))
                ref = x[b, i, j] + sum(a[t] * q[t] for t in range(3))
                torch.testing.assert_close(out[b, i, j], ref * mask[b, i, j])
    # an empty specification still gives finite prompts (from the biases)
    empty, _ = dpm(x, torch.zeros(B, C), mask)
    assert torch.isfinite(empty).all()
    assert not torch.equal(empty[mask], x[mask])
    simple, ones = SimplePrompt(C, D)(x, spec, mask)
    assert simple.shape == x.shape and (simple[~mask] == 0).all()


def vgnorm_reference(x, mask, mean, alpha, gamma, beta, eps=1e-5):
    out = torch.zeros_like(x)
    for b in range(B):
        for i in range(N):
            nodes = [j for j in range(M) if mask[b, i, j]]
            y = torch.stack([x[b, i, j] - alpha[i] * mean[i] for j in nodes])
            var = y.pow(2).sum() / (y.numel() - 1)
            for k, j in enumerate(nodes):
                out[b, i, j] = gamma[i] * y[k] / (var + eps).sqrt() + beta[i]
    return out


def frame_means(x, mask):
    return torch.stack([x[:, i][mask[:, i]].mean() for i in range(N)])


def test_vgnorm_equation_and_momentum():
    x, mask = graph()
    norm = VGNorm(N, momentum=0.9)
    with torch.no_grad():
        norm.alpha.uniform_(0.5, 1.5)
        norm.gamma.uniform_(0.5, 1.5)
        norm.beta.uniform_(-1, 1)
    mu = frame_means(x, mask)
    out = norm(x, mask)
    torch.testing.assert_close(norm.running_mean, 0.1 * mu)
    torch.testing.assert_close(
        out, vgnorm_reference(x, mask, mu, norm.alpha, norm.gamma, norm.beta))
    x2, _ = graph(1)
    x2 = x2 * mask.unsqueeze(-1)
    norm(x2, mask)
    torch.testing.assert_close(norm.running_mean,
                               0.9 * 0.1 * mu + 0.1 * frame_means(x2, mask))
    norm.eval()
    before = norm.running_mean.clone()
    out = norm(x, mask)
    torch.testing.assert_close(norm.running_mean, before)
    torch.testing.assert_close(
        out,
        vgnorm_reference(x, mask, before, norm.alpha, norm.gamma, norm.beta))
    running = VGNorm(N, train_mean='running')
    torch.testing.assert_close(
        running(x, mask),
        vgnorm_reference(x, mask, 0.1 * mu, running.alpha, running.gamma,
                         running.beta))
    per_node = VGNorm(N, std_over='node')(x, mask)
    for b, i, j in [(0, 0, 0), (1, 2, 1)]:
        if mask[b, i, j]:
            y = x[b, i, j] - mu[i]
            ref = y / (y.pow(2).sum() / (D - 1) + 1e-5).sqrt()
            torch.testing.assert_close(per_node[b, i, j], ref)
    with pytest.raises(ValueError, match='frames'):
        norm(x[:, :2], mask[:, :2])


def _vgnorm_rank(rank, tmp):
    dist.init_process_group(
        'gloo', init_method=f'file://{tmp}/init', rank=rank, world_size=2)
    x, mask = graph(rank)
    norm = VGNorm(N)
    norm(x, mask)
    torch.save(norm.running_mean, f'{tmp}/rank{rank}.pth')
    dist.destroy_process_group()


def test_vgnorm_all_reduce_under_ddp():
    xs = [graph(r) for r in range(2)]
    x = torch.cat([g[0] for g in xs])
    mask = torch.cat([g[1] for g in xs])
    expected = 0.1 * frame_means(x, mask)
    with tempfile.TemporaryDirectory() as tmp:
        # fork: no re-import of the packages in the children (fast)
        mp.start_processes(
            _vgnorm_rank, (tmp, ), nprocs=2, start_method='fork')
        for rank in range(2):
            torch.testing.assert_close(
                torch.load(os.path.join(tmp, f'rank{rank}.pth')), expected)


def test_other_norms():
    x, mask = graph()
    out = GraphNorm(D)(x, mask)
    for b in range(B):
        for i in range(N):
            nodes = x[b, i][mask[b, i]]
            y = nodes - nodes.mean(0)
            ref = y / (y.pow(2).mean(0) + 1e-5).sqrt()
            torch.testing.assert_close(out[b, i][mask[b, i]], ref)
    full = torch.ones(B, N, M, dtype=torch.bool)
    bn = torch.nn.BatchNorm1d(N)
    torch.testing.assert_close(
        FrameBatchNorm(N)(x, full),
        bn(x.reshape(B, N, -1)).view_as(x))
    ln = NodeLayerNorm(D)(x, mask)
    assert (ln[~mask] == 0).all()


def test_vgpnn_layer_masking_weights_and_gradient():
    torch.manual_seed(0)
    x, mask = graph()
    rel = torch.randn(B, N, M, M, 6)
    layer = VGPNNLayer(D, 6, num_heads=2, ffn_dims=16).eval()
    out, w = layer(x, rel, mask)
    assert out.shape == x.shape and w.shape == (B, N, M, M)
    assert ((w >= 0) & (w <= 1)).all()
    assert (w[:, :, range(M), range(M)] == 0).all()  # no self edges
    assert (w[1, :, 2] == 0).all() and (w[1, :, :, 2] == 0).all()
    assert (out[~mask] == 0).all()
    out2, _ = layer(perturb_padding(x, mask), rel, mask)
    torch.testing.assert_close(out, out2)
    layer.train()
    layer(x, rel, mask)[0].sum().backward()
    assert all(p.grad is not None for p in layer.parameters())


@pytest.mark.parametrize('norm', [
    dict(type='VGNorm', num_frames=N),
    dict(type='NodeLayerNorm'),
    dict(type='FrameBatchNorm', num_frames=N),
    dict(type='GraphNorm')
])
def test_vgpnn_stack(norm):
    x, mask = graph()
    vgpnn = VGPNN(
        D, R, num_layers=2, layer_cfg=dict(num_heads=2), norm_cfg=norm)
    rel = vgpnn.embed_relations((torch.rand(B, N, M, M, R) > 0.5).float())
    out, weights = vgpnn(x, rel, mask)
    assert out.shape == x.shape and len(weights) == 2
    assert torch.isfinite(out).all() and (out[~mask] == 0).all()


def test_readout_and_fusion():
    x, mask = graph()
    mask[0, 1] = False  # a frame without nodes
    x = x * mask.unsqueeze(-1)
    readout = GraphReadout(D)
    video, s = readout(x, mask)
    assert video.shape == (B, D) and s.shape == (B, N)
    assert ((s >= 0) & (s <= 1)).all() and s[0, 1] == 0
    frames = []
    for i in range(N):
        a = readout.node_score(x[0, i]).squeeze(-1)
        a = torch.softmax(a.masked_fill(~mask[0, i], -1e9), 0)
        frames.append((a.unsqueeze(-1) * x[0, i]).sum(0))
    frames = torch.stack(frames)
    torch.testing.assert_close(video[0],
                               (s[0, :, None] * frames).sum(0) / s[0].sum())
    fused, delta = GateFusion(D).eval()(x, -x)
    torch.testing.assert_close(fused, delta * x - (1 - delta) * x)
    assert delta.shape == (B, N, M, 1)
