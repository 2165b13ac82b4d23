"""Linear attention against a quadratic loop implementation."""
import torch

from mmaction_ext.models.utils import LinearAttention


def reference(layer, q_in, k_in, v_in, mask=None):
    """out_t = sum_s phi(q_t).phi(k_s) v_s / sum_s phi(q_t).phi(k_s)."""
    n_batch, length, channels = q_in.shape
    heads, dims = layer.num_heads, channels // layer.num_heads
    q = torch.sigmoid(layer.q_proj(q_in)).view(n_batch, length, heads, dims)
    k = torch.sigmoid(layer.k_proj(k_in)).view(n_batch, -1, heads, dims)
    v = layer.v_proj(v_in).view(n_batch, -1, heads, dims)
    out = torch.zeros(n_batch, length, heads, dims)
    for n in range(n_batch):
        for h in range(heads):
            for t in range(length):
                weights = torch.stack([
                    q[n, t, h] @ k[n, s, h] if mask is None
                    or not layer.mask_keys or mask[n, s] else torch.tensor(0.)
                    for s in range(k.shape[1])
                ])
                out[n, t, h] = (weights[:, None] * v[n, :, h]).sum(0) / (
                    weights.sum() + layer.eps)
    out = layer.out_proj(out.flatten(2))
    return out if mask is None else out * mask[..., None]


def test_matches_quadratic_reference():
    torch.manual_seed(0)
    layer = LinearAttention(16, num_heads=4).eval()
    x, y = torch.randn(2, 7, 16), torch.randn(2, 7, 16)
    assert torch.allclose(layer(x, x, y), reference(layer, x, x, y), atol=1e-5)


def test_masking_official_vs_exact():
    torch.manual_seed(1)
    mask = torch.tensor([[True] * 5 + [False] * 3])
    x = torch.randn(1, 8, 16)
    for mask_keys in (False, True):
        layer = LinearAttention(16, mask_keys=mask_keys).eval()
        out = layer(x, x, x, mask)
        assert torch.allclose(out, reference(layer, x, x, x, mask), atol=1e-5)
        assert (out[0, 5:] == 0).all()
    # with mask_keys the real frames do not see the padding at all
    exact = LinearAttention(16, mask_keys=True).eval()
    short = exact(x[:, :5], x[:, :5], x[:, :5])
    assert torch.allclose(exact(x, x, x, mask)[:, :5], short, atol=1e-5)


def test_gradients():
    layer = LinearAttention(16)
    x = torch.randn(2, 6, 16, requires_grad=True)
    layer(x, x, x).sum().backward()
    assert x.grad.abs().sum() > 0 and layer.k_proj.weight.grad is not None
