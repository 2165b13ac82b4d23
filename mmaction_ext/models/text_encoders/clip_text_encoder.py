from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from transformers import CLIPTextConfig, CLIPTextModelWithProjection
from transformers.modeling_attn_mask_utils import \
    _create_4d_causal_attention_mask

from mmaction.registry import MODELS
from mmaction_ext.text.clip_tokenizer import (build_clip_tokenizer, clean_text,
                                              is_clip_tokenizer_dir)
from .base_text_encoder import BaseTextEncoder
from .clip_weights import BOS_TOKEN_ID, EOS_TOKEN_ID, build_clip_tower

ARCHS = dict(
    vit_b=dict(
        hidden_size=512,
        num_attention_heads=8,
        num_hidden_layers=12,
        projection_dim=512),
    vit_l=dict(
        hidden_size=768,
        num_attention_heads=12,
        num_hidden_layers=12,
        projection_dim=768))


@MODELS.register_module()
class CLIPTextEncoder(BaseTextEncoder):
    """CLIP's text tower (transformers) with CLIP's exact BPE tokenizer.

    Embeds a string as CLIP's ``encode_text`` does: the end-token feature of
    the causal transformer, projected. Batches are padded only to their
    longest prompt (same result as the fixed 77-token context, faster).
    The tower is a ``transformers.CLIPTextModelWithProjection``.

    Args:
        pretrained (str, optional): Local CLIP weights: a transformers
            directory (``save_pretrained`` of a ``CLIPModel`` or of a text
            tower), an OpenAI CLIP file (``ViT-B-32.pt``, TorchScript or
            state dict) or an open_clip checkpoint (``.pt``/``.bin``/
            ``.safetensors``); files are converted on load, the architecture
            read from the weights. None builds a randomly initialised
            ``arch`` (for tests). Defaults to None.
        arch (str): ``'vit_b'`` (ViT-B/32, B/16) or ``'vit_l'`` when
            ``pretrained`` is None. Defaults to ``'vit_b'``.
        act (str): Activation of a converted file or random tower:
            ``'quick_gelu'`` (OpenAI weights) or ``'gelu'`` (most open_clip
            LAION weights); a directory's config.json names its own.
            Defaults to ``'quick_gelu'``.
        context_length (int): Maximum tokens; longer prompts are truncated.
            Defaults to 77.
        tokenizer_path (str, optional): A directory with ``vocab.json`` and
            ``merges.txt`` or CLIP's ``bpe_simple_vocab_16e6.txt.gz``.
            Defaults to ``pretrained`` when it is a directory with those
            files, else to the BPE file of an installed ``openai-clip`` /
            ``open_clip_torch`` (read, never imported).
        bpe_path (str, optional): Older name of ``tokenizer_path``.
        frozen (bool): Freeze the weights. Defaults to False.
        cache_embeddings (bool, optional): See :class:`BaseTextEncoder`.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 pretrained: Optional[str] = None,
                 arch: str = 'vit_b',
                 act: str = 'quick_gelu',
                 context_length: int = 77,
                 tokenizer_path: Optional[str] = None,
                 bpe_path: Optional[str] = None,
                 frozen: bool = False,
                 cache_embeddings: Optional[bool] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(frozen, cache_embeddings, init_cfg)
        if tokenizer_path and bpe_path:
            raise ValueError('give tokenizer_path or bpe_path, not both')
        if pretrained is None and arch not in ARCHS:
            raise ValueError(f'arch must be one of {sorted(ARCHS)}, got '
                             f'{arch!r}')
        random_config = None if pretrained else CLIPTextConfig(
            vocab_size=49408,
            max_position_embeddings=context_length,
            intermediate_size=4 * ARCHS[arch]['hidden_size'],
            hidden_act=act,
            bos_token_id=BOS_TOKEN_ID,
            eos_token_id=EOS_TOKEN_ID,
            **ARCHS[arch])
        self.model = build_clip_tower(CLIPTextModelWithProjection, pretrained,
                                      act, random_config)
        self.context_length = min(context_length,
                                  self.model.config.max_position_embeddings)
        if not (tokenizer_path
                or bpe_path) and is_clip_tokenizer_dir(pretrained):
            tokenizer_path = pretrained
        self.tokenizer = build_clip_tokenizer(tokenizer_path or bpe_path)
        self._freeze()

    @property
    def embed_dims(self) -> int:
        return self.model.config.projection_dim

    @property
    def token_embedding(self) -> nn.Embedding:
        """Token id -> (width, ) input embedding, for prompt learning."""
        return self.model.text_model.embeddings.token_embedding

    def tokenize(self, texts: List[str], pad_to: Optional[int] = None):
        """Token ids (N, L) and lengths (N, ); L = longest or ``pad_to``.

        The last token of each prompt is the end token (at ``length - 1``).
        """
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
        """Embed distinct strings: (len(texts), embed_dims).

        Padding after the end token may have any length: causal attention
        never lets earlier positions see it, so trimming a batch to its
        longest prompt gives the same result as CLIP's fixed 77 tokens.
        """
        tokens, lengths = self.tokenize(texts, pad_to)
        return self.encode_embeddings(
            self.token_embedding(
                tokens.to(self.token_embedding.weight.device)), lengths - 1)

    def encode_embeddings(self,
                          inputs_embeds: torch.Tensor,
                          eot_index: torch.Tensor,
                          deep_prompts: Optional[Sequence[
                              torch.Tensor]] = None,
                          prompt_start: int = 1,
                          inserted_prompts: Optional[torch.Tensor] = None,
                          insert_layer: int = 0) -> torch.Tensor:
        """Embed prompts given as input token embeddings (prompt learning).

        Learnable context vectors can stand in for, or around, the token
        embeddings of a tokenized prompt (CoOp-style, class-aware or
        per-sample prompts); CLIP's position embeddings are added here.
        ``deep_prompts`` also replace those positions at the input of later
        layers (deep prompts, as in MaPLe and deep VPT).

        Args:
            inputs_embeds (torch.Tensor): (N, L, width) token embeddings,
                e.g. ``token_embedding(tokens)`` with some rows replaced.
            eot_index (torch.Tensor): (N, ) position of each prompt's end
                token, whose feature is projected.
            deep_prompts (Sequence[torch.Tensor], optional): The i-th, of
                shape (n, width) or (N, n, width), replaces positions
                ``prompt_start`` to ``prompt_start + n`` at the input of layer
                i + 1. Defaults to None.
            prompt_start (int): First position the deep prompts replace,
                and where inserted prompts go. Defaults to 1 (right after
                the start token).
            inserted_prompts (torch.Tensor, optional): (M, width) or
                (N, M, width) tokens inserted (the sequence grows by M) at
                position ``prompt_start`` after the first ``insert_layer``
                layers, so that the later layers see them (SAGE's
                class-aware prompts, Eq. 8-9). M = 0 changes nothing.
                Defaults to None.
            insert_layer (int): Layers run before the insertion, from 0
                (the input) to one fewer than the layers. Defaults to 0.

        Returns:
            torch.Tensor: (N, embed_dims), equal to CLIP's ``encode_text``
            when ``inputs_embeds`` are the token embeddings.
        """
        text = self.model.text_model
        deep_prompts = list(deep_prompts or [])
        if len(deep_prompts) >= len(text.encoder.layers):
            raise ValueError(f'{len(deep_prompts)} deep prompts for '
                             f'{len(text.encoder.layers)} layers: at most '
                             'one fewer than the layers')
        if inserted_prompts is not None and not \
                0 <= insert_layer < len(text.encoder.layers):
            raise ValueError(f'insert_layer must be in [0, '
                             f'{len(text.encoder.layers)}), got '
                             f'{insert_layer}')
        hidden = text.embeddings(inputs_embeds=inputs_embeds)
        causal_mask = _create_4d_causal_attention_mask(
            hidden.shape[:2], hidden.dtype, device=hidden.device)
        for index, layer in enumerate(text.encoder.layers):
            if 0 < index <= len(deep_prompts):
                hidden = _replace(hidden, deep_prompts[index - 1],
                                  prompt_start)
            if inserted_prompts is not None and index == insert_layer:
                hidden = _insert(hidden, inserted_prompts, prompt_start)
                causal_mask = _create_4d_causal_attention_mask(
                    hidden.shape[:2], hidden.dtype, device=hidden.device)
                eot_index = eot_index + inserted_prompts.size(-2) * (
                    eot_index >= prompt_start).long()
            hidden = layer(hidden, None, causal_mask)[0]
        hidden = text.final_layer_norm(hidden)
        rows = torch.arange(hidden.size(0), device=hidden.device)
        return self.model.text_projection(hidden[rows,
                                                 eot_index.to(hidden.device)])


def _replace(hidden: torch.Tensor, prompt: torch.Tensor,
             start: int) -> torch.Tensor:
    """``hidden`` (N, L, C) with positions start..start+n set to ``prompt``."""
    prompt = prompt.expand(hidden.size(0), -1, -1).to(hidden.dtype)
    end = start + prompt.size(1)
    if end > hidden.size(1):
        raise ValueError(f'a deep prompt at {start}..{end} does not fit in '
                         f'{hidden.size(1)} tokens')
    return torch.cat([hidden[:, :start], prompt, hidden[:, end:]], dim=1)


def _insert(hidden: torch.Tensor, prompt: torch.Tensor,
            start: int) -> torch.Tensor:
    """``hidden`` (N, L, C) with ``prompt`` (N, M, C) inserted at ``start``."""
    if not 0 < start <= hidden.size(1):
        raise ValueError(f'cannot insert prompts at {start} in '
                         f'{hidden.size(1)} tokens')
    prompt = prompt.expand(hidden.size(0), -1, -1).to(hidden.dtype)
    return torch.cat([hidden[:, :start], prompt, hidden[:, start:]], dim=1)
