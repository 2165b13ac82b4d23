"""Plain re-implementation of the official V-JEPA 2 encoder and probe.

Written from the official code's description (facebookresearch/vjepa2,
``src/models/vision_transformer.py``, ``utils/modules.py``,
``attentive_pooler.py``), reading the official key names directly, with
no transformers code. It is slow and simple on purpose: the tests compare
our transformers-based modules and the converter against it.
"""
import math
import re

import torch
import torch.nn.functional as F


def rope_rotate(x, pos):
    """The official RoPE rotation of the last dim of ``x``, element-wise.

    Element j turns by angle pos * 10000 ** (-(j mod D/2) / (D/2)): the
    frequencies are tiled ([w0..w_{D/2-1}, w0..w_{D/2-1}]), while the
    rotation pairs adjacent elements (2k, 2k+1): rot[2k] = -x[2k+1],
    rot[2k+1] = x[2k].
    """
    dims = x.shape[-1]
    half = dims // 2
    out = torch.empty_like(x)
    for j in range(dims):
        theta = pos.to(x.dtype) * 10000.0**(-(j % half) / half)
        if j % 2 == 0:
            rotated = -x[..., j + 1]
        else:
            rotated = x[..., j - 1]
        out[..., j] = x[..., j] * torch.cos(theta) + rotated * torch.sin(theta)
    return out


def rope_rotate_interleaved(x, pos):
    """The textbook variant (frequency k for pair k): NOT the official one."""
    dims = x.shape[-1]
    half = dims // 2
    out = torch.empty_like(x)
    for j in range(dims):
        theta = pos.to(x.dtype) * 10000.0**(-(j // 2) / half)
        rotated = -x[..., j + 1] if j % 2 == 0 else x[..., j - 1]
        out[..., j] = x[..., j] * torch.cos(theta) + rotated * torch.sin(theta)
    return out


def token_positions(frames, height, width):
    """(t, h, w) of every token, t-major then rows then columns."""
    t, h, w = torch.meshgrid(
        torch.arange(frames),
        torch.arange(height),
        torch.arange(width),
        indexing='ij')
    return t.flatten(), h.flatten(), w.flatten()


def rope_qk(x, positions, rotate=rope_rotate):
    """Rotate a (B, heads, N, head_dim) query/key as the official encoder.

    Three slices of 2 * ((head_dim // 3) // 2) dims turn with t, h and w;
    the remaining dims are left alone.
    """
    part = 2 * ((x.shape[-1] // 3) // 2)
    pieces = [
        rotate(x[..., i * part:(i + 1) * part], pos)
        for i, pos in enumerate(positions)
    ]
    return torch.cat(pieces + [x[..., 3 * part:]], dim=-1)


def _linear(state, name, x):
    return F.linear(x, state[f'{name}.weight'], state.get(f'{name}.bias'))


def _norm(state, name, x, eps):
    return F.layer_norm(x, x.shape[-1:], state[f'{name}.weight'],
                        state[f'{name}.bias'], eps)


def _attention(q, k, v):
    weights = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    return weights.softmax(-1) @ v


def _heads(x, num_heads):
    batch, tokens, width = x.shape
    return x.reshape(batch, tokens, num_heads, -1).transpose(1, 2)


def _merge(x):
    return x.transpose(1, 2).flatten(2)


def _self_attention(state, name, x, num_heads, positions=None):
    q, k, v = _linear(state, f'{name}.qkv', x).chunk(3, dim=-1)
    q, k, v = (_heads(t, num_heads) for t in (q, k, v))
    if positions is not None:
        q, k = rope_qk(q, positions), rope_qk(k, positions)
    return _linear(state, f'{name}.proj', _merge(_attention(q, k, v)))


def _mlp(state, name, x):
    return _linear(state, f'{name}.fc2',
                   F.gelu(_linear(state, f'{name}.fc1', x)))


def _block(state, name, x, num_heads, eps, positions=None):
    x = x + _self_attention(state, f'{name}.attn',
                            _norm(state, f'{name}.norm1', x, eps), num_heads,
                            positions)
    return x + _mlp(state, f'{name}.mlp', _norm(state, f'{name}.norm2', x,
                                                eps))


def _depth(state, prefix):
    pattern = re.compile(re.escape(prefix) + r'(\d+)\.')
    return len({m.group(1) for k in state for m in [pattern.match(k)] if m})


def official_encoder(state, clips, num_heads, eps=1e-6):
    """Official encoder forward on a (B, C, T, H, W) clip.

    Args:
        state (dict): Encoder weights with the official names after the
            ``module.backbone.`` prefixes are removed.
    """
    weight = state['patch_embed.proj.weight']
    x = F.conv3d(
        clips, weight, state['patch_embed.proj.bias'], stride=weight.shape[2:])
    positions = token_positions(*x.shape[2:])
    x = x.flatten(2).transpose(1, 2)
    for i in range(_depth(state, 'blocks.')):
        x = _block(state, f'blocks.{i}', x, num_heads, eps, positions)
    return _norm(state, 'norm', x, eps)


def official_probe(state, tokens, num_heads, eps=1e-5):
    """Official ``AttentiveClassifier`` forward on (B, N, D) tokens."""
    x = tokens
    for i in range(_depth(state, 'pooler.blocks.')):
        x = _block(state, f'pooler.blocks.{i}', x, num_heads, eps)
    name = 'pooler.cross_attention_block'
    query = state['pooler.query_tokens'].expand(x.shape[0], -1, -1)
    keys = _norm(state, f'{name}.norm1', x, eps)
    q = _heads(_linear(state, f'{name}.xattn.q', query), num_heads)
    k, v = _linear(state, f'{name}.xattn.kv', keys).chunk(2, dim=-1)
    query = query + _merge(
        _attention(q, _heads(k, num_heads), _heads(v, num_heads)))
    query = query + _mlp(state, f'{name}.mlp',
                         _norm(state, f'{name}.norm2', query, eps))
    return _linear(state, 'linear', query.squeeze(1))


def _linear_params(state, name, out_features, in_features, gen):
    state[f'{name}.weight'] = torch.randn(
        out_features, in_features, generator=gen) * 0.2
    state[f'{name}.bias'] = torch.randn(out_features, generator=gen) * 0.1


def _norm_params(state, name, width, gen):
    state[f'{name}.weight'] = 1 + 0.1 * torch.randn(width, generator=gen)
    state[f'{name}.bias'] = 0.1 * torch.randn(width, generator=gen)


def _block_params(state, name, width, gen, attn='attn'):
    _norm_params(state, f'{name}.norm1', width, gen)
    if attn == 'attn':
        _linear_params(state, f'{name}.attn.qkv', 3 * width, width, gen)
        _linear_params(state, f'{name}.attn.proj', width, width, gen)
    else:
        _linear_params(state, f'{name}.xattn.q', width, width, gen)
        _linear_params(state, f'{name}.xattn.kv', 2 * width, width, gen)
    _norm_params(state, f'{name}.norm2', width, gen)
    _linear_params(state, f'{name}.mlp.fc1', 4 * width, width, gen)
    _linear_params(state, f'{name}.mlp.fc2', width, 4 * width, gen)


def random_official_encoder(width=32,
                            depth=2,
                            in_chans=3,
                            tubelet=2,
                            patch=8,
                            seed=0):
    """A random encoder state dict with the official key names."""
    gen = torch.Generator().manual_seed(seed)
    state = {
        'patch_embed.proj.weight':
        torch.randn(width, in_chans, tubelet, patch, patch, generator=gen) *
        0.05,
        'patch_embed.proj.bias':
        torch.randn(width, generator=gen) * 0.1,
    }
    for i in range(depth):
        _block_params(state, f'blocks.{i}', width, gen)
    _norm_params(state, 'norm', width, gen)
    return state


def random_official_probe(width=32, depth=3, num_classes=5, seed=1):
    """A random ``AttentiveClassifier`` state dict, official key names."""
    gen = torch.Generator().manual_seed(seed)
    state = {'pooler.query_tokens': torch.randn(1, 1, width, generator=gen)}
    for i in range(depth):
        _block_params(state, f'pooler.blocks.{i}', width, gen)
    _block_params(state, 'pooler.cross_attention_block', width, gen, 'xattn')
    _linear_params(state, 'linear', num_classes, width, gen)
    return state
