"""Convert V-JEPA 2's official checkpoint files to our formats.

Official layout (facebookresearch/vjepa2, ``app/vjepa/train.py`` and
``evals/video_classification_frozen``): ``vitl.pt`` holds the encoder under
``target_encoder`` (or ``encoder``) with ``module.backbone.`` prefixes,
fused ``attn.qkv`` weights; a probe file holds ``classifiers``, a list of
``AttentiveClassifier`` state dicts with ``module.`` prefixes, fused
``attn.qkv`` in the self-attention blocks and fused ``xattn.kv`` in the
cross-attention block.

Our formats: the encoder as the state dict of transformers' ``VJEPA2Model``
(``encoder.*`` keys; :class:`VJEPA2` loads the directory), the probe as
:class:`AttentiveProbeHead` keys (``pooler.*``, ``fc_cls.*``).
"""
import re
from typing import Dict, List, Optional, Tuple

import torch

from mmaction_ext.utils import BadInputError

Tensor = torch.Tensor
# Attention heads of the official architectures, by width (ViT-L/H/g).
NUM_HEADS = {384: 6, 768: 12, 1024: 16, 1280: 16, 1408: 22, 1664: 26}
_ENCODER_BLOCK = {
    'norm1': 'norm1',
    'attn.proj': 'attention.proj',
    'norm2': 'norm2',
    'mlp.fc1': 'mlp.fc1',
    'mlp.fc2': 'mlp.fc2',
}
_POOLER_BLOCK = {
    'norm1': 'layer_norm1',
    'attn.proj': 'self_attn.out_proj',
    'norm2': 'layer_norm2',
    'mlp.fc1': 'mlp.fc1',
    'mlp.fc2': 'mlp.fc2',
}
_CROSS_BLOCK = {
    'norm1': 'layer_norm1',
    'xattn.q': 'cross_attn.q_proj',
    'norm2': 'layer_norm2',
    'mlp.fc1': 'mlp.fc1',
    'mlp.fc2': 'mlp.fc2',
}


def strip_prefixes(state: Dict[str, Tensor],
                   prefixes: Tuple[str, ...]) -> Dict[str, Tensor]:
    """Remove leading wrapper prefixes (DDP ``module.``, ``backbone.``)."""
    stripped = {}
    for key, value in state.items():
        for prefix in prefixes:
            if key.startswith(prefix):
                key = key[len(prefix):]
        stripped[key] = value
    return stripped


def _split_rows(weight: Tensor, parts: int) -> List[Tensor]:
    return [p.clone().contiguous() for p in weight.chunk(parts, dim=0)]


def _take(state: Dict[str, Tensor], key: str, source: str) -> Tensor:
    if key not in state:
        raise BadInputError(f'{source}: missing key {key!r}')
    return state.pop(key)


def _move(state, out, src: str, dst: str, source: str) -> None:
    """Rename ``src.weight`` (required) and ``src.bias`` (if present)."""
    out[f'{dst}.weight'] = _take(state, f'{src}.weight', source)
    if f'{src}.bias' in state:
        out[f'{dst}.bias'] = state.pop(f'{src}.bias')


def _move_fused(state, out, src: str, dsts: Tuple[str, ...],
                source: str) -> None:
    """Split a fused projection (rows [q | k | v]) into ``dsts``."""
    for suffix in ('weight', 'bias'):
        key = f'{src}.{suffix}'
        if suffix == 'bias' and key not in state:
            continue
        parts = _split_rows(_take(state, key, source), len(dsts))
        for dst, part in zip(dsts, parts):
            out[f'{dst}.{suffix}'] = part


def _num_blocks(state: Dict[str, Tensor], prefix: str) -> int:
    pattern = re.compile(re.escape(prefix) + r'(\d+)\.')
    ids = {int(m.group(1)) for k in state for m in [pattern.match(k)] if m}
    if ids != set(range(len(ids))):
        raise BadInputError(f'{prefix}N blocks are not numbered 0..N-1: '
                            f'{sorted(ids)}')
    return len(ids)


def _check_consumed(state: Dict[str, Tensor], source: str) -> None:
    if state:
        raise BadInputError(f'{source}: unexpected keys {sorted(state)[:8]}'
                            f'{" ..." if len(state) > 8 else ""}; not a '
                            'V-JEPA 2 checkpoint of this layout?')


def _heads_for(width: int, num_heads: Optional[int], source: str) -> int:
    if num_heads is not None:
        return num_heads
    if width not in NUM_HEADS:
        raise BadInputError(
            f'{source}: width {width} is no official V-JEPA 2 architecture; '
            'give the number of attention heads (--num-heads)')
    return NUM_HEADS[width]


def convert_encoder(state: Dict[str, Tensor],
                    num_heads: Optional[int] = None,
                    source: str = 'encoder') -> Tuple[dict, dict]:
    """Official encoder state dict -> (``VJEPA2Config`` kwargs, state).

    Args:
        state (dict): The official encoder state (prefixes are removed).
        num_heads (int, optional): Attention heads; by default from the
            width of the official architectures.
        source (str): Name of the file, for error messages.

    Returns:
        tuple: Config kwargs (architecture read from the weights) and the
        ``VJEPA2Model`` state dict (``encoder.*`` keys).
    """
    state = strip_prefixes(state, ('module.', 'backbone.'))
    state.pop('pos_embed', None)  # unused with RoPE, see the hub loader
    patch = _take(state, 'patch_embed.proj.weight', source)
    width, in_chans, tubelet, patch_size = patch.shape[:4]
    out = {'encoder.embeddings.patch_embeddings.proj.weight': patch}
    out['encoder.embeddings.patch_embeddings.proj.bias'] = _take(
        state, 'patch_embed.proj.bias', source)
    depth = _num_blocks(state, 'blocks.')
    hidden = state['blocks.0.mlp.fc1.weight'].shape[0] if depth else width
    qkv_bias = 'blocks.0.attn.qkv.bias' in state
    for i in range(depth):
        src, dst = f'blocks.{i}', f'encoder.layer.{i}'
        _move_fused(
            state, out, f'{src}.attn.qkv',
            tuple(f'{dst}.attention.{n}' for n in ('query', 'key', 'value')),
            source)
        for s, d in _ENCODER_BLOCK.items():
            _move(state, out, f'{src}.{s}', f'{dst}.{d}', source)
    _move(state, out, 'norm', 'encoder.layernorm', source)
    _check_consumed(state, source)
    config = dict(
        hidden_size=width,
        in_chans=in_chans,
        tubelet_size=tubelet,
        patch_size=patch_size,
        num_hidden_layers=depth,
        num_attention_heads=_heads_for(width, num_heads, source),
        mlp_ratio=hidden / width,
        qkv_bias=qkv_bias)
    return config, out


def convert_probe(state: Dict[str, Tensor],
                  num_heads: Optional[int] = None,
                  source: str = 'probe') -> Tuple[dict, dict]:
    """Official ``AttentiveClassifier`` state -> (head kwargs, state).

    Args:
        state (dict): One entry of the probe file's ``classifiers``.
        num_heads (int, optional): Attention heads; by default from the
            width of the official architectures.
        source (str): Name of the file, for error messages.

    Returns:
        tuple: :class:`AttentiveProbeHead` kwargs and its state dict.
    """
    state = strip_prefixes(state, ('module.', ))
    query = _take(state, 'pooler.query_tokens', source)
    if query.shape[1] != 1:
        raise BadInputError(f'{source}: {query.shape[1]} query tokens; the '
                            'probe head has one')
    width = query.shape[-1]
    out = {'pooler.query_tokens': query}
    depth = _num_blocks(state, 'pooler.blocks.')
    for i in range(depth):
        src = f'pooler.blocks.{i}'
        dst = f'pooler.self_attention_layers.{i}'
        _move_fused(state, out, f'{src}.attn.qkv',
                    tuple(f'{dst}.self_attn.{n}_proj' for n in 'qkv'), source)
        for s, d in _POOLER_BLOCK.items():
            _move(state, out, f'{src}.{s}', f'{dst}.{d}', source)
    src, dst = 'pooler.cross_attention_block', 'pooler.cross_attention_layer'
    _move_fused(state, out, f'{src}.xattn.kv',
                (f'{dst}.cross_attn.k_proj', f'{dst}.cross_attn.v_proj'),
                source)
    for s, d in _CROSS_BLOCK.items():
        _move(state, out, f'{src}.{s}', f'{dst}.{d}', source)
    linear = _take(state, 'linear.weight', source)
    out['fc_cls.weight'] = linear
    out['fc_cls.bias'] = _take(state, 'linear.bias', source)
    _check_consumed(state, source)
    head = dict(
        num_classes=linear.shape[0],
        in_channels=width,
        num_heads=_heads_for(width, num_heads, source),
        num_self_attention_blocks=depth)
    return head, out
