import os.path as osp
import re
from typing import List, Optional

import torch
import torch.nn as nn

from mmaction.registry import MODELS
from mmaction_ext.text.clip_tokenizer import build_clip_tokenizer, clean_text
from .base_text_encoder import BaseTextEncoder


class QuickGELU(nn.Module):
    """x * sigmoid(1.702 x): the activation of OpenAI's CLIP weights."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    """Pre-norm transformer block of CLIP's text tower (causal)."""

    def __init__(self, width: int, heads: int, act: nn.Module) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential()
        self.mlp.add_module('c_fc', nn.Linear(width, width * 4))
        self.mlp.add_module('gelu', act)
        self.mlp.add_module('c_proj', nn.Linear(width * 4, width))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class CLIPTextTransformer(nn.Module):
    """CLIP's text tower; parameter names follow OpenAI CLIP / open_clip."""

    def __init__(self, vocab_size: int, context_length: int, width: int,
                 heads: int, layers: int, embed_dims: int, act: str) -> None:
        super().__init__()
        self.context_length = context_length
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.positional_embedding = nn.Parameter(
            torch.empty(context_length, width))
        activation = QuickGELU() if act == 'quick_gelu' else nn.GELU()
        self.transformer = nn.Module()
        self.transformer.resblocks = nn.ModuleList(
            ResidualAttentionBlock(width, heads, activation)
            for _ in range(layers))
        self.ln_final = nn.LayerNorm(width)
        self.text_projection = nn.Parameter(torch.empty(width, embed_dims))
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.positional_embedding, std=0.01)
        nn.init.normal_(self.text_projection, std=width**-0.5)

    def forward(self, tokens: torch.Tensor,
                lengths: torch.Tensor) -> torch.Tensor:
        """(N, L) token ids with ``lengths`` (N, ) -> (N, embed_dims).

        Padding after the end token may have any length: causal attention
        never lets earlier positions see it, so trimming a batch to its
        longest prompt gives the same result as CLIP's fixed 77 tokens.
        """
        length = tokens.size(1)
        x = self.token_embedding(tokens) + self.positional_embedding[:length]
        mask = torch.full((length, length), float('-inf'),
                          device=x.device).triu_(1)
        for block in self.transformer.resblocks:
            x = block(x, mask)
        x = self.ln_final(x)
        end = x[torch.arange(x.size(0), device=x.device), lengths - 1]
        return end @ self.text_projection


ARCHS = dict(
    vit_b=dict(width=512, heads=8, layers=12, embed_dims=512),
    vit_l=dict(width=768, heads=12, layers=12, embed_dims=768))


def _arch_from_state_dict(state):
    width = state['ln_final.weight'].shape[0]
    layers = {
        int(m.group(1))
        for m in map(
            re.compile(r'transformer\.resblocks\.(\d+)\.').match, state) if m
    }
    return dict(
        vocab_size=state['token_embedding.weight'].shape[0],
        context_length=state['positional_embedding'].shape[0],
        width=width,
        heads=width // 64,
        layers=len(layers),
        embed_dims=state['text_projection'].shape[1])


def load_clip_text_state_dict(path: str) -> dict:
    """Text-tower weights from an OpenAI CLIP or open_clip file.

    Accepts OpenAI's TorchScript archives (``ViT-B-32.pt``), plain state dicts
    (``.pt``/``.pth``/``.bin``, optionally under ``state_dict`` and with a
    ``module.`` prefix) and ``.safetensors``; the image tower is dropped.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'CLIP weights {path!r} do not exist. mmaction_ext never '
            'downloads: save OpenAI CLIP (e.g. ViT-B-32.pt) or an open_clip '
            'checkpoint locally and pass its path as `pretrained`.')
    if path.endswith('.safetensors'):
        from safetensors.torch import load_file
        state = load_file(path)
    else:
        try:
            state = torch.load(path, map_location='cpu', weights_only=True)
        except Exception:  # OpenAI's TorchScript archives
            state = torch.jit.load(path, map_location='cpu').state_dict()
    state = state.get('state_dict', state)
    state = {
        k[7:] if k.startswith('module.') else k: v
        for k, v in state.items()
    }
    text = {
        k: v
        for k, v in state.items() if not k.startswith('visual.') and k not in (
            'logit_scale', 'input_resolution', 'context_length', 'vocab_size')
    }
    if 'text_projection' not in text:
        raise KeyError(f'{path} has no CLIP text tower (no text_projection)')
    return text


@MODELS.register_module()
class CLIPTextEncoder(BaseTextEncoder):
    """CLIP's text transformer with CLIP's exact BPE tokenizer.

    Embeds a string as CLIP's ``encode_text`` does: the end-token feature of
    the causal transformer, projected. Batches are padded only to their
    longest prompt (same result as the fixed 77-token context, faster).

    Args:
        pretrained (str, optional): Local OpenAI CLIP / open_clip weights
            file. The architecture is read from the weights. None builds a
            randomly initialised ``arch`` (for tests).
        arch (str): ``'vit_b'`` (ViT-B/32, B/16) or ``'vit_l'`` when
            ``pretrained`` is None. Defaults to ``'vit_b'``.
        act (str): ``'quick_gelu'`` (OpenAI weights) or ``'gelu'`` (most
            open_clip LAION weights). Defaults to ``'quick_gelu'``.
        context_length (int): Maximum tokens; longer prompts are truncated.
            Defaults to 77.
        bpe_path (str, optional): CLIP BPE vocabulary file.
        frozen (bool): Freeze the weights. Defaults to False.
        cache_embeddings (bool, optional): See :class:`BaseTextEncoder`.
    """

    def __init__(self,
                 pretrained: Optional[str] = None,
                 arch: str = 'vit_b',
                 act: str = 'quick_gelu',
                 context_length: int = 77,
                 bpe_path: Optional[str] = None,
                 frozen: bool = False,
                 cache_embeddings: Optional[bool] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(frozen, cache_embeddings, init_cfg)
        if pretrained is not None:
            state = load_clip_text_state_dict(pretrained)
            config = _arch_from_state_dict(state)
        else:
            config = dict(
                ARCHS[arch], vocab_size=49408, context_length=context_length)
        self.context_length = min(context_length, config['context_length'])
        self.model = CLIPTextTransformer(act=act, **config)
        if pretrained is not None:
            self.model.load_state_dict(state)
        self.tokenizer = build_clip_tokenizer(bpe_path)
        self._freeze()

    @property
    def embed_dims(self) -> int:
        return self.model.text_projection.shape[1]

    def tokenize(self, texts: List[str], pad_to: Optional[int] = None):
        """Token ids (N, L) and lengths (N, ); L = longest or ``pad_to``."""
        ids = self.tokenizer([clean_text(t) for t in texts],
                             truncation=True,
                             max_length=self.context_length)['input_ids']
        for seq in ids:  # truncated prompts still end with the end token
            seq[-1] = self.tokenizer.eos_token_id
        lengths = torch.tensor([len(seq) for seq in ids])
        width = pad_to or int(lengths.max())
        tokens = torch.zeros(len(ids), width, dtype=torch.long)
        for row, seq in enumerate(ids):
            tokens[row, :len(seq)] = torch.tensor(seq)
        return tokens, lengths

    def encode(self, texts: List[str], pad_to: Optional[int] = None):
        device = self.model.text_projection.device
        tokens, lengths = self.tokenize(texts, pad_to)
        return self.model(tokens.to(device), lengths.to(device))
