from abc import abstractmethod
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseModule


class BaseTextEncoder(BaseModule):
    """Shared behaviour of text encoders: dedup, freezing, caching.

    ``forward(texts)`` encodes each distinct string once, however often it
    occurs in ``texts``. A frozen encoder never trains (no gradients, kept in
    eval mode) and, with ``cache_embeddings``, encodes every distinct string
    once per run and then serves it from memory.

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

    def forward(self, texts: Sequence[str]) -> torch.Tensor:
        """Embed strings, each distinct one computed once.

        Args:
            texts (Sequence[str]): Strings, possibly repeated.

        Returns:
            torch.Tensor: Embeddings, shape (len(texts), embed_dims).
        """
        position = {}
        for text in texts:
            position.setdefault(text, len(position))
        unique = list(position)
        if self.cache_embeddings:
            missing = [t for t in unique if t not in self._cache]
            if missing:
                with torch.no_grad():
                    self._cache.update(zip(missing, self.encode(missing)))
            embeddings = torch.stack([self._cache[t] for t in unique])
        elif self.frozen:
            with torch.no_grad():
                embeddings = self.encode(unique)
        else:
            embeddings = self.encode(unique)
        index = torch.tensor([position[t] for t in texts],
                             device=embeddings.device)
        return embeddings[index]
