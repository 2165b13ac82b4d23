from abc import abstractmethod
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseModule

# most batches a bucketed step encodes
MAX_BUCKETS = 4


def best_buckets(lengths: Sequence[int], max_buckets: int) -> List[int]:
    """Sizes of the contiguous buckets of sorted ``lengths`` padding least.

    Splits ascending lengths into at most ``max_buckets`` runs minimising
    the padded tokens, the sum over runs of size x longest length (exact
    dynamic programme, O(max_buckets x n^2)).

    Args:
        lengths (Sequence[int]): Token lengths in ascending order.
        max_buckets (int): Most runs.

    Returns:
        list[int]: Run sizes, summing to ``len(lengths)``.
    """
    n = len(lengths)
    if n == 0:
        return []
    inf = float('inf')
    # cost[b][j]: fewest tokens of the first j lengths in b runs
    cost = [[inf] * (n + 1) for _ in range(max_buckets + 1)]
    cut = [[0] * (n + 1) for _ in range(max_buckets + 1)]
    cost[0][0] = 0
    for b in range(1, max_buckets + 1):
        for j in range(1, n + 1):
            for i in range(b - 1, j):
                total = cost[b - 1][i] + (j - i) * lengths[j - 1]
                if total < cost[b][j]:
                    cost[b][j], cut[b][j] = total, i
    runs = min(range(1, max_buckets + 1), key=lambda b: (cost[b][n], b))
    sizes, j = [], n
    for b in range(runs, 0, -1):
        sizes.append(j - cut[b][j])
        j = cut[b][j]
    return sizes[::-1]


class BaseTextEncoder(BaseModule):
    """Shared behaviour of text encoders: dedup, freezing, caching.

    ``forward(texts)`` encodes each distinct string once, however often it
    occurs in ``texts``. A frozen encoder never trains (no gradients, kept in
    eval mode) and, with ``cache_embeddings``, encodes every distinct string
    once per run and then serves it from memory.

    ``forward(texts, batching='bucket')`` encodes the distinct strings in up
    to :data:`MAX_BUCKETS` batches of similar token length (an exact
    partition of the length-sorted strings that pads the fewest tokens)
    instead of one batch padded to the longest string: the same embeddings
    up to floating-point rounding, for fewer padded tokens.

    Args:
        frozen (bool): Freeze the weights. Defaults to False (fine-tuned).
        cache_embeddings (bool, optional): Memoise embeddings of a frozen
            encoder. Defaults to ``frozen``.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 frozen: bool = False,
                 cache_embeddings: Optional[bool] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.frozen = frozen
        self.cache_embeddings = frozen if cache_embeddings is None \
            else cache_embeddings
        if self.cache_embeddings and not frozen:
            raise ValueError('cache_embeddings needs frozen=True: the '
                             'embeddings of a trained encoder change')
        self._cache: Dict[str, torch.Tensor] = {}
        self._lengths: Dict[str, int] = {}

    def _freeze(self) -> None:
        if self.frozen:
            self.requires_grad_(False)
            self.eval()

    def train(self, mode: bool = True):
        return super().train(mode and not self.frozen)

    @property
    @abstractmethod
    def embed_dims(self) -> int:
        """Size of the returned embeddings."""

    @abstractmethod
    def encode(self, texts: List[str]) -> torch.Tensor:
        """Embed distinct strings: (len(texts), embed_dims)."""

    def token_length(self, text: str) -> int:
        """Tokens of ``text`` with its special tokens (memoised)."""
        if text not in self._lengths:
            self._lengths[text] = len(self.tokenizer(text)['input_ids'])
        return self._lengths[text]

    def enable_checkpointing(self) -> None:
        """Recompute the transformer's activations in the backward pass.

        transformers' gradient checkpointing of every layer: less memory for
        a fine-tuned encoder, one more forward pass of time.
        """
        self.model.gradient_checkpointing_enable(
            gradient_checkpointing_kwargs=dict(use_reentrant=False))

    def encode_bucketed(self, texts: List[str]) -> torch.Tensor:
        """:meth:`encode` in batches of similar length, rows in input order."""
        lengths = [self.token_length(t) for t in texts]
        order = sorted(range(len(texts)), key=lengths.__getitem__)
        sizes = best_buckets([lengths[i] for i in order], MAX_BUCKETS)
        chunks, start = [], 0
        for size in sizes:
            chunks.append(
                self.encode([texts[i] for i in order[start:start + size]]))
            start += size
        embeddings = torch.cat(chunks)
        inverse = torch.empty(len(order), dtype=torch.long)
        inverse[torch.tensor(order)] = torch.arange(len(order))
        return embeddings[inverse.to(embeddings.device)]

    def forward(self,
                texts: Sequence[str],
                batching: str = 'longest') -> torch.Tensor:
        """Embed strings, each distinct one computed once.

        Args:
            texts (Sequence[str]): Strings, possibly repeated.
            batching (str): ``'longest'`` encodes the distinct strings in one
                batch padded to the longest; ``'bucket'`` in batches of
                similar length (see the class). Defaults to ``'longest'``.

        Returns:
            torch.Tensor: Embeddings, shape (len(texts), embed_dims).
        """
        if batching not in ('longest', 'bucket'):
            raise ValueError(f'batching must be longest or bucket, got '
                             f'{batching!r}')
        encode = self.encode_bucketed if batching == 'bucket' else \
            self.encode
        position = {}
        for text in texts:
            position.setdefault(text, len(position))
        unique = list(position)
        if self.cache_embeddings:
            missing = [t for t in unique if t not in self._cache]
            if missing:
                with torch.no_grad():
                    self._cache.update(zip(missing, encode(missing)))
            embeddings = torch.stack([self._cache[t] for t in unique])
        elif self.frozen:
            with torch.no_grad():
                embeddings = encode(unique)
        else:
            embeddings = encode(unique)
        index = torch.tensor([position[t] for t in texts],
                             device=embeddings.device)
        return embeddings[index]
