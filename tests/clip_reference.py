"""Independent CLIP references for the tests (not part of the package).

The text tower and the tokenizer set-up are the hand-written ones
mmaction_ext shipped before it moved to transformers' CLIP classes; the
image tower follows OpenAI CLIP's ``VisionTransformer`` (github.com/openai/
CLIP @ a1d0717, clip/model.py). Parameter names follow OpenAI CLIP /
open_clip, so their state dicts are checkpoints in those layouts.
"""
import gzip
import html
import json
import os.path as osp

import ftfy
import torch
import torch.nn as nn
from transformers import CLIPTokenizer

NUM_MERGES = 49152 - 256 - 2  # as in CLIP's simple_tokenizer


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

    def forward(self, x: torch.Tensor, mask=None) -> torch.Tensor:
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


def activation(act):
    return QuickGELU() if act == 'quick_gelu' else nn.GELU()


class CLIPTextTransformer(nn.Module):
    """CLIP's text tower; parameter names follow OpenAI CLIP / open_clip."""

    def __init__(self, vocab_size: int, context_length: int, width: int,
                 heads: int, layers: int, embed_dims: int, act: str) -> None:
        super().__init__()
        self.context_length = context_length
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.positional_embedding = nn.Parameter(
            torch.empty(context_length, width))
        self.transformer = nn.Module()
        self.transformer.resblocks = nn.ModuleList(
            ResidualAttentionBlock(width, heads, activation(act))
            for _ in range(layers))
        self.ln_final = nn.LayerNorm(width)
        self.text_projection = nn.Parameter(torch.empty(width, embed_dims))
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.positional_embedding, std=0.01)
        nn.init.normal_(self.text_projection, std=width**-0.5)

    def forward(self, tokens: torch.Tensor,
                lengths: torch.Tensor) -> torch.Tensor:
        length = tokens.size(1)
        x = self.token_embedding(tokens) + self.positional_embedding[:length]
        mask = torch.full((length, length), float('-inf'),
                          device=x.device).triu_(1)
        for block in self.transformer.resblocks:
            x = block(x, mask)
        x = self.ln_final(x)
        end = x[torch.arange(x.size(0), device=x.device), lengths - 1]
        return end @ self.text_projection


class VisionTransformer(nn.Module):
    """OpenAI CLIP's image tower (ViT), without the ``visual.`` prefix."""

    def __init__(self, image_size: int, patch_size: int, width: int,
                 heads: int, layers: int, embed_dims: int, act: str) -> None:
        super().__init__()
        grid = image_size // patch_size
        self.conv1 = nn.Conv2d(3, width, patch_size, patch_size, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(width) * 0.1)
        self.positional_embedding = nn.Parameter(
            torch.randn(grid * grid + 1, width) * 0.1)
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = nn.Module()
        self.transformer.resblocks = nn.ModuleList(
            ResidualAttentionBlock(width, heads, activation(act))
            for _ in range(layers))
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(torch.randn(width, embed_dims) * width**-0.5)

    def forward(self, images: torch.Tensor):
        """(N, 3, H, W) -> pooled (N, D), patch tokens (N, D, H', W')."""
        x = self.conv1(images)
        n, c, h, w = x.shape
        x = x.flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(n, 1, c)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x)
        for block in self.transformer.resblocks:
            x = block(x)
        x = self.ln_post(x) @ self.proj
        grid = x[:, 1:].transpose(1, 2).reshape(n, -1, h, w)
        return x[:, 0], grid


def randomize_layer_norms(module: nn.Module, seed: int = 0) -> None:
    """LayerNorms start at (1, 0); random values check they are mapped."""
    generator = torch.Generator().manual_seed(seed)
    for sub in module.modules():
        if isinstance(sub, nn.LayerNorm):
            with torch.no_grad():
                sub.weight.copy_(
                    1 +
                    0.1 * torch.randn(sub.weight.shape, generator=generator))
                sub.bias.copy_(
                    0.1 * torch.randn(sub.bias.shape, generator=generator))


def build_reference_tokenizer(bpe_path: str, folder: str) -> CLIPTokenizer:
    """The vocabulary rebuild mmaction_ext shipped before."""
    with open(bpe_path, 'rb') as f:
        lines = gzip.decompress(f.read()).decode('utf-8').split('\n')
    merges = lines[1:NUM_MERGES + 1]
    vocab_file = osp.join(folder, 'vocab.json')
    merges_file = osp.join(folder, 'merges.txt')
    with open(merges_file, 'w', encoding='utf-8') as f:
        f.write('#version: 0.2\n' + '\n'.join(merges) + '\n')
    from transformers.models.clip.tokenization_clip import bytes_to_unicode
    symbols = list(bytes_to_unicode().values())
    symbols += [s + '</w>' for s in symbols]
    symbols += [''.join(merge.split()) for merge in merges]
    symbols += ['<|startoftext|>', '<|endoftext|>']
    with open(vocab_file, 'w', encoding='utf-8') as f:
        json.dump({s: i for i, s in enumerate(symbols)}, f)
    return CLIPTokenizer(vocab_file, merges_file)


def reference_token_ids(tokenizer: CLIPTokenizer, text: str, context=77):
    """Token ids as the former ``CLIPTextEncoder.tokenize`` gave them."""
    text = html.unescape(html.unescape(ftfy.fix_text(text))).strip()
    ids = tokenizer([text], truncation=True, max_length=context)['input_ids']
    ids[0][-1] = tokenizer.eos_token_id
    return ids[0]
