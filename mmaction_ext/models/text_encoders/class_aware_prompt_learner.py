from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from mmaction_ext.datasets.label_maps import load_label_map


def readable_class_names(classes: Union[str, Sequence[str]]):
    """Names of a bundled label map (``'vidvrd_predicates'``) or a list.

    Underscores become spaces (``stand_next_to`` -> ``stand next to``): the
    VidVRD / VidOR lists join words with them, CLIP reads plain words.
    """
    names = load_label_map(classes) if isinstance(classes, str) else \
        list(classes)
    if not names:
        raise ValueError('the prompt learner got no class names')
    return [name.replace('_', ' ').strip() for name in names]


@MODELS.register_module()
class ClassAwarePromptLearner(BaseModule):
    """Learned CLIP text classifiers of the classes (SAGE Sec. 3.5).

    Each class is embedded from ``[SOS] ctx_1..ctx_k [CLASS] ctx_k+1..ctx_n
    [EOS]`` through a frozen CLIP text encoder: ``n = num_context`` learned
    context tokens (CoOp) initialised from the token embeddings of
    ``context_init``, the class name placed after ``class_position`` of them
    (0.75: 6 of 8 before, 2 after). The Textual Knowledge Embedding (TKE)
    maps the frozen CLIP embedding of each class name (``W_clip``) through a
    ``tke_hidden`` bottleneck to ``num_prompts`` tokens, inserted after the
    first ``insert_layer`` text layers (Eq. 7-9), so the prompts depend on
    the class only (``P(prompt | class)``), never on the video.

    Args:
        text_encoder (dict): A :class:`CLIPTextEncoder` config; the encoder
            is frozen.
        classes (str | Sequence[str]): Bundled label map name (e.g.
            ``'vidvrd_predicates'``) or the class names.
        num_context (int): Learned context tokens. Defaults to 8.
        context_init (str, optional): Text whose token embeddings start the
            first context tokens (the rest random, std 0.02); None starts
            all at random. Defaults to ``'Two entities in video sequence'``.
        learnable_context (bool): Learn the context (False keeps the
            initial tokens: a fixed template). Defaults to True.
        class_position (float): Fraction of the context tokens before the
            class name. Defaults to 0.75.
        num_prompts (int): TKE tokens M per class; 0 disables the TKE.
            Defaults to 8.
        tke_hidden (int): TKE bottleneck width (Table 7). Defaults to 64.
        insert_layer (int): Text layers run before the TKE tokens join
            (Table 8, layer 6). Defaults to 6.
        reference_template (str): ``str.format`` pattern of the frozen
            ``W_clip`` texts (TKE input, consistency target). Defaults to
            ``'{}'`` (the class name).
        init_cfg (dict, optional): Unused: the encoder stays pretrained.
    """

    def __init__(self,
                 text_encoder: dict,
                 classes: Union[str, Sequence[str]],
                 num_context: int = 8,
                 context_init: Optional[str] = 'Two entities in video '
                 'sequence',
                 learnable_context: bool = True,
                 class_position: float = 0.75,
                 num_prompts: int = 8,
                 tke_hidden: int = 64,
                 insert_layer: int = 6,
                 reference_template: str = '{}',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not 0 <= class_position <= 1:
            raise ValueError(f'class_position must be in [0, 1], got '
                             f'{class_position}')
        self.text_encoder = MODELS.build(dict(text_encoder, frozen=True))
        layers = len(self.text_encoder.model.text_model.encoder.layers)
        if num_prompts and not 0 <= insert_layer < layers:
            raise ValueError(f'insert_layer must be in [0, {layers}) for '
                             f'this {layers}-layer text encoder, got '
                             f'{insert_layer}')
        self.class_names = readable_class_names(classes)
        self.num_context, self.num_prompts = num_context, num_prompts
        self.insert_layer = insert_layer
        self.width = self.text_encoder.token_embedding.embedding_dim
        context = self._initial_context(context_init)
        if learnable_context:
            self.context = nn.Parameter(context)
        else:
            self.register_buffer('context', context)
        self._build_templates(round(class_position * num_context))
        with torch.no_grad():
            reference = self.text_encoder.encode(
                [reference_template.format(n) for n in self.class_names])
        self.register_buffer('reference_embeddings', reference)
        self.tke = self._build_generator(reference.size(1), tke_hidden)

    @property
    def embed_dims(self) -> int:
        return self.text_encoder.embed_dims

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def conditional_on_image(self) -> bool:
        """Whether :meth:`forward` needs per-instance visual features."""
        return False

    def init_weights(self) -> None:
        """Keep the pretrained encoder and the context initialisation."""

    def _build_generator(self, in_dims: int, hidden: int):
        """Bottleneck in_dims -> hidden -> num_prompts x width, or None."""
        if not self.num_prompts:
            return None
        return nn.Sequential(
            nn.Linear(in_dims, hidden), nn.ReLU(inplace=True),
            nn.Linear(hidden, self.num_prompts * self.width))

    def _initial_context(self, context_init: Optional[str]) -> torch.Tensor:
        context = torch.randn(self.num_context, self.width) * 0.02
        if context_init:
            tokens, lengths = self.text_encoder.tokenize([context_init])
            ids = tokens[0, 1:lengths[0] - 1]  # without start and end
            if len(ids) > self.num_context:
                raise ValueError(f'context_init {context_init!r} has '
                                 f'{len(ids)} tokens, more than num_context='
                                 f'{self.num_context}')
            with torch.no_grad():
                context[:len(ids)] = self.text_encoder.token_embedding(
                    ids.to(self.text_encoder.token_embedding.weight.device))
        return context

    def _build_templates(self, before: int) -> None:
        """Token embeddings (C, L, width) and the context positions (C, n).

        Sequences: start token, ``before`` context slots, class name tokens,
        the remaining context slots, end token, zero padding.
        """
        tokens, lengths = self.text_encoder.tokenize(self.class_names)
        name_lengths = (lengths - 2).tolist()
        width = int(lengths.max()) + self.num_context
        if width > self.text_encoder.context_length:
            raise ValueError(f'class names with {self.num_context} context '
                             f'tokens need {width} > '
                             f'{self.text_encoder.context_length} positions')
        rows = torch.zeros(len(tokens), width, dtype=torch.long)
        positions = torch.zeros(
            len(tokens), self.num_context, dtype=torch.long)
        slots = list(range(1, 1 + before))
        for row, length in enumerate(name_lengths):
            after = 1 + before + length
            rows[row, 0] = tokens[row, 0]
            rows[row, 1 + before:after] = tokens[row, 1:1 + length]
            rows[row, after + self.num_context - before] = tokens[row,
                                                                  length + 1]
            positions[row] = torch.tensor(
                slots + list(range(after, after + self.num_context - before)),
                dtype=torch.long)
        with torch.no_grad():
            embeds = self.text_encoder.token_embedding(
                rows.to(self.text_encoder.token_embedding.weight.device))
        self.register_buffer('token_embeds', embeds, persistent=False)
        self.register_buffer('context_positions', positions, persistent=False)
        self.register_buffer(
            'eot_index', lengths + self.num_context - 1, persistent=False)

    def _prompt_embeds(self, index: torch.Tensor,
                       context: torch.Tensor) -> torch.Tensor:
        """Input embeddings (C', L, width) with ``context`` (n or C', n)."""
        embeds = self.token_embeds[index]
        positions = self.context_positions[index]
        context = context.expand(len(index), -1, -1).to(embeds.dtype)
        return embeds.scatter(1, positions[...,
                                           None].expand(-1, -1, self.width),
                              context)

    def _class_index(self, class_index: Optional[torch.Tensor]):
        if class_index is None:
            return torch.arange(self.num_classes, device=self.eot_index.device)
        return class_index.to(self.eot_index.device)

    def forward(self,
                class_index: Optional[torch.Tensor] = None,
                visual: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Class embeddings (C', embed_dims) of ``class_index`` (all: None).

        ``visual`` is ignored: the prompts depend on the class only.
        """
        index = self._class_index(class_index)
        inserted = None
        if self.tke is not None:
            inserted = self.tke(self.reference_embeddings[index]).view(
                len(index), self.num_prompts, self.width)
        return self.text_encoder.encode_embeddings(
            self._prompt_embeds(index, self.context),
            self.eot_index[index],
            inserted_prompts=inserted,
            insert_layer=self.insert_layer)
