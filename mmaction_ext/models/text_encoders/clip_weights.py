"""Load CLIP towers as transformers models from any local CLIP weights.

A transformers directory (``config.json`` + weights, a ``CLIPModel`` or a
single tower) loads as it is. OpenAI CLIP files (TorchScript archives such as
``ViT-B-32.pt`` or plain state dicts) and open_clip checkpoints
(``.pt``/``.bin``/``.safetensors``) are converted: the architecture is read
from the weight shapes and the parameters renamed to transformers' layout
(``convert_clip_original_pytorch_to_hf.py`` in transformers does the same
for a whole model). Nothing downloads.
"""
import json
import os.path as osp
import re
import warnings
from typing import Dict, Optional, Tuple, Type

import torch
from transformers import (CLIPTextConfig, CLIPTextModelWithProjection,
                          CLIPVisionConfig, PreTrainedModel)

# Special tokens of CLIP's vocabulary (start, end).
BOS_TOKEN_ID, EOS_TOKEN_ID = 49406, 49407
_NOT_WEIGHTS = ('logit_scale', 'input_resolution', 'context_length',
                'vocab_size')


def missing_weights_error(path: str) -> FileNotFoundError:
    return FileNotFoundError(
        f'CLIP weights {path!r} do not exist. mmaction_ext never downloads: '
        'save OpenAI CLIP (e.g. ViT-B-32.pt), an open_clip checkpoint or a '
        'transformers CLIP directory locally and pass its path as '
        '`pretrained`.')


def load_clip_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """All weights of an OpenAI CLIP or open_clip file, OpenAI key names.

    Accepts OpenAI's TorchScript archives, plain state dicts (optionally
    under ``state_dict`` and with a ``module.`` prefix) and
    ``.safetensors``.
    """
    if not osp.isfile(path):
        raise missing_weights_error(path)
    if path.endswith('.safetensors'):
        from safetensors.torch import load_file
        state = load_file(path)
    else:
        try:
            with warnings.catch_warnings():  # on TorchScript archives
                warnings.filterwarnings('ignore', '.*TorchScript archive')
                state = torch.load(path, map_location='cpu', weights_only=True)
        except RuntimeError as error:
            if 'TorchScript' not in str(error):
                raise
            state = _torchscript_state_dict(path)
    if not isinstance(state, dict):
        raise ValueError(f'{path!r} holds no CLIP state dict')
    state = state.get('state_dict', state)
    state = {
        (k[7:] if k.startswith('module.') else k): v
        for k, v in state.items()
    }
    return {k: v for k, v in state.items() if k not in _NOT_WEIGHTS}


def _torchscript_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """Weights of OpenAI's TorchScript CLIP archives (the ``clip.load`` ones).

    Loaded as ``clip.load`` loads it; only its parameters are kept.
    """
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        return torch.jit.load(path, map_location='cpu').state_dict()


_BLOCK_NAMES = {
    'ln_1': 'layer_norm1',
    'ln_2': 'layer_norm2',
    'attn.out_proj': 'self_attn.out_proj',
    'mlp.c_fc': 'mlp.fc1',
    'mlp.c_proj': 'mlp.fc2',
}


def _convert_blocks(state: dict, prefix: str, target: str) -> Tuple[dict, set]:
    """OpenAI ``ResidualAttentionBlock`` weights -> ``CLIPEncoderLayer``.

    The fused ``attn.in_proj`` is split into q, k and v, in that order.
    Returns the converted weights and the source keys used.
    """
    pattern = re.compile(
        re.escape(prefix) + r'transformer\.resblocks\.(\d+)\.(.+)[._]'
        r'(weight|bias)$')
    out, used = {}, set()
    for key, value in state.items():
        match = pattern.match(key)
        if match is None:
            continue
        index, module, kind = match.groups()
        layer = f'{target}encoder.layers.{index}.'
        if module == 'attn.in_proj':
            for name, part in zip('qkv', value.chunk(3)):
                out[f'{layer}self_attn.{name}_proj.{kind}'] = part
        elif module in _BLOCK_NAMES:
            out[f'{layer}{_BLOCK_NAMES[module]}.{kind}'] = value
        else:
            continue
        used.add(key)
    return out, used


def _check_all_used(keys: set, used: set, source: str) -> None:
    """Refuse weights the conversion does not know (e.g. layer scales)."""
    unknown = sorted(keys - used)
    if unknown:
        raise KeyError(f'{source}: CLIP weights this conversion does not '
                       f'support: {unknown[:5]}')


def _num_layers(state: dict, prefix: str) -> int:
    pattern = re.compile(
        re.escape(prefix) + r'transformer\.resblocks\.(\d+)\.')
    return len({m.group(1) for m in map(pattern.match, state) if m})


def convert_text_tower(state: dict, act: str,
                       source: str) -> Tuple[CLIPTextConfig, dict]:
    """OpenAI/open_clip text-tower weights -> transformers config + state."""
    if 'text_projection' not in state:
        raise KeyError(f'{source} has no CLIP text tower (no text_projection)')
    width = state['ln_final.weight'].shape[0]
    config = CLIPTextConfig(
        vocab_size=state['token_embedding.weight'].shape[0],
        max_position_embeddings=state['positional_embedding'].shape[0],
        hidden_size=width,
        intermediate_size=state['transformer.resblocks.0.mlp.c_fc.weight'].
        shape[0],
        num_attention_heads=width // 64,
        num_hidden_layers=_num_layers(state, ''),
        projection_dim=state['text_projection'].shape[1],
        hidden_act=act,
        layer_norm_eps=1e-5,
        bos_token_id=BOS_TOKEN_ID,
        eos_token_id=EOS_TOKEN_ID)
    out, used = _convert_blocks(state, '', 'text_model.')
    names = {
        'token_embedding.weight':
        'text_model.embeddings.token_embedding.weight',
        'positional_embedding':
        'text_model.embeddings.position_embedding.weight',
        'ln_final.weight': 'text_model.final_layer_norm.weight',
        'ln_final.bias': 'text_model.final_layer_norm.bias',
    }
    out.update({theirs: state[ours] for ours, theirs in names.items()})
    out['text_projection.weight'] = state['text_projection'].t()
    used.update(names, ['text_projection', 'attn_mask'])
    text_keys = {k for k in state if not k.startswith('visual.')}
    _check_all_used(text_keys, used, source)
    return config, out


def convert_vision_tower(state: dict, act: str,
                         source: str) -> Tuple[CLIPVisionConfig, dict]:
    """OpenAI/open_clip ViT image-tower weights -> transformers layout."""
    if 'visual.proj' not in state or 'visual.conv1.weight' not in state:
        raise KeyError(f'{source} has no CLIP ViT image tower (no '
                       'visual.conv1 / visual.proj; ResNet towers are not '
                       'supported)')
    width, _, patch, _ = state['visual.conv1.weight'].shape
    grid = round((state['visual.positional_embedding'].shape[0] - 1)**0.5)
    config = CLIPVisionConfig(
        hidden_size=width,
        intermediate_size=state[
            'visual.transformer.resblocks.0.mlp.c_fc.weight'].shape[0],
        num_attention_heads=width // 64,
        num_hidden_layers=_num_layers(state, 'visual.'),
        image_size=grid * patch,
        patch_size=patch,
        projection_dim=state['visual.proj'].shape[1],
        hidden_act=act,
        layer_norm_eps=1e-5)
    out, used = _convert_blocks(state, 'visual.', 'vision_model.')
    names = {
        'class_embedding': 'embeddings.class_embedding',
        'conv1.weight': 'embeddings.patch_embedding.weight',
        'positional_embedding': 'embeddings.position_embedding.weight',
        'ln_pre.weight': 'pre_layrnorm.weight',
        'ln_pre.bias': 'pre_layrnorm.bias',
        'ln_post.weight': 'post_layernorm.weight',
        'ln_post.bias': 'post_layernorm.bias',
    }
    out.update({
        f'vision_model.{theirs}': state[f'visual.{ours}']
        for ours, theirs in names.items()
    })
    out['visual_projection.weight'] = state['visual.proj'].t()
    used.update(f'visual.{ours}' for ours in list(names) + ['proj'])
    visual_keys = {k for k in state if k.startswith('visual.')}
    _check_all_used(visual_keys, used, source)
    return config, out


def build_clip_tower(model_cls: Type[PreTrainedModel],
                     pretrained: Optional[str], act: str,
                     config) -> PreTrainedModel:
    """A transformers CLIP tower from a directory, a CLIP file or a config.

    Args:
        model_cls: ``CLIPTextModelWithProjection`` or
            ``CLIPVisionModelWithProjection``.
        pretrained (str, optional): transformers directory or OpenAI /
            open_clip weights file. None: random weights from ``config``.
        act (str): Activation of a converted file's tower.
        config: Config of the random tower when ``pretrained`` is None.
    """
    if pretrained is None:
        return model_cls(config)
    if osp.isdir(pretrained):
        if not osp.isfile(osp.join(pretrained, 'config.json')):
            raise FileNotFoundError(
                f'CLIP directory {pretrained!r} has no config.json: save '
                'it with transformers `save_pretrained`')
        with open(osp.join(pretrained, 'config.json')) as f:
            config = json.load(f)
        extra = {}
        if config.get('model_type') == 'clip' and 'projection_dim' in config:
            # A CLIPModel states the projection size once, for both towers.
            extra['projection_dim'] = config['projection_dim']
        return model_cls.from_pretrained(
            pretrained, local_files_only=True, **extra)
    state = load_clip_state_dict(pretrained)
    if any(k.startswith(('text_model.', 'vision_model.')) for k in state):
        raise ValueError(
            f'{pretrained!r} holds transformers CLIP weights: pass the '
            'directory with its config.json as `pretrained` instead')
    convert = convert_text_tower if model_cls is \
        CLIPTextModelWithProjection else convert_vision_tower
    config, converted = convert(state, act, repr(pretrained))
    model = model_cls(config)
    model.load_state_dict(converted, strict=True)
    return model
