import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from mmaction_ext.text import TextBank, TextBankError
from mmaction_ext.text.embedding_cache import (cache_file, cache_key,
                                               encoder_identity,
                                               load_cached_embeddings,
                                               save_cached_embeddings)

# files a local transformers folder needs: (what, any of these names)
_HF_FILES = (
    ('config', ('config.json', )),
    ('weights',
     ('model.safetensors', 'pytorch_model.bin', 'model.safetensors.index.json',
      'pytorch_model.bin.index.json')),
    ('tokenizer', ('tokenizer.json', 'vocab.txt', 'vocab.json', 'spiece.model',
                   'sentencepiece.bpe.model')),
)


def check_text_encoder_files(encoder_cfg: Dict) -> None:
    """Name the missing files of a local transformers text-encoder folder.

    Without this check an empty or half-copied folder fails deep inside
    transformers (e.g. with a protobuf or tokenizer error).
    """
    path = encoder_cfg.get('model_path')
    if not isinstance(path, str) or not osp.isdir(path):
        return
    present = set(os.listdir(path))
    missing = [
        f'{what} ({" or ".join(names)})' for what, names in _HF_FILES
        if not present.intersection(names)
    ]
    if missing:
        raise FileNotFoundError(
            f'Text encoder folder {path!r} is incomplete: missing '
            f'{"; ".join(missing)}. Save the whole model there (e.g. with '
            "transformers' save_pretrained) and try again.")


@MODELS.register_module()
class ClassTextEmbeddings(BaseModule):
    """Text embeddings of the classes (or joints) a text bank describes.

    The texts are one per bank entry, taken from a ``field`` of the bank
    (``'label'``, ``'paragraph'``, ``'description'``, ``'parts.<part>'``) or
    composed by a ``template`` from the entry's fields, optionally preceded
    by ``extra_texts`` (e.g. a background class 0 that the bank does not
    describe). Two modes:

    * online (``cache_dir=None``): the text encoder is a submodule
      (``text_encoder``), fine-tuned with the model unless frozen;
      :meth:`forward` encodes the texts now and :meth:`encode` any other
      texts (e.g. prompts sampled per iteration).
    * cached (``cache_dir`` set): the embeddings are read from an ``.npz``
      in ``cache_dir`` keyed by the bank's ``name@version``, the field or
      template, the extra texts and the encoder identity (type, resolved
      path and weight-file fingerprint, pooling, ...). A missing or stale
      file is built on first use with the (frozen) encoder, which is then
      dropped, and written atomically; nothing trainable remains.

    Args:
        text_bank (str): Bundled bank name (e.g. ``'ntu120'``) or bank file.
        text_encoder (dict): Text encoder config (:class:`HFTextEncoder`,
            :class:`CLIPTextEncoder`).
        field (str): Per-entry text when no ``template`` is given. Defaults
            to ``'label'``.
        template (str, optional): ``str.format`` pattern over the entry's
            fields, e.g. ``'a person doing {label}'`` or
            ``'{label}, {parts[hand]}'``.
        extra_texts (Sequence[str]): Texts put before the bank's. Defaults
            to none.
        num_classes (int, optional): Expected number of texts (extra
            included); bank and model sizes must agree (a bank serves fewer
            classes only for a label set it lists in ``label_subsets``).
        cache_dir (str, optional): Folder of the embedding cache; None keeps
            the encoder online.
        required_parts (Sequence[str], optional): Parts every entry must
            describe (checked on loading the bank).
        min_synonyms (int): Synonyms every entry must have. Defaults to 1.
        init_cfg (dict, optional): Unused: the encoder stays pretrained.
    """

    def __init__(self,
                 text_bank: str,
                 text_encoder: Dict,
                 field: str = 'label',
                 template: Optional[str] = None,
                 extra_texts: Sequence[str] = (),
                 num_classes: Optional[int] = None,
                 cache_dir: Optional[str] = None,
                 required_parts: Optional[Sequence[str]] = None,
                 min_synonyms: int = 1,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        extra_texts = list(extra_texts or ())
        bank_classes = None if num_classes is None else \
            num_classes - len(extra_texts)
        try:
            self.bank = TextBank(
                text_bank,
                num_classes=bank_classes,
                required_parts=required_parts,
                min_synonyms=min_synonyms)
        except TextBankError as err:
            if not extra_texts or bank_classes is None:
                raise
            raise TextBankError(
                f'{err} (the model has {num_classes} classes, '
                f'{len(extra_texts)} of them from extra_texts)') from err
        self.field, self.template = field, template
        self.texts = extra_texts + [
            self._entry_text(i) for i in range(len(self.bank))
        ]
        self.encoder_cfg = dict(text_encoder)
        self.cache_dir = cache_dir
        self._cached: Optional[torch.Tensor] = None
        if cache_dir is None:
            check_text_encoder_files(self.encoder_cfg)
            self.text_encoder = MODELS.build(self.encoder_cfg)
        else:
            self.key = cache_key(
                bank=self.bank.key,
                num_entries=len(self.bank),
                texts_from=dict(field=field, template=template),
                extra_texts=extra_texts,
                encoder=encoder_identity(self.encoder_cfg))
            self.cache_path = cache_file(cache_dir, self.bank.name, self.key)

    def init_weights(self) -> None:
        """Keep the pretrained text encoder."""

    def _entry_text(self, index: int) -> str:
        if self.template is not None:
            entry = self.bank.classes[index]
            try:
                return self.template.format(**entry).strip()
            except (KeyError, IndexError, AttributeError) as err:
                raise ValueError(
                    f'{self.bank.path}: template {self.template!r} needs '
                    f'{err} which class {index} ({self.bank.labels[index]!r})'
                    ' lacks') from err
        if self.field == 'label':
            return self.bank.labels[index]
        if self.field.startswith('parts.'):
            return self.bank.part(index, self.field[len('parts.'):])
        text = self.bank.field(index, self.field)
        if not isinstance(text, str):
            raise ValueError(f'{self.bank.path}: field {self.field!r} of '
                             f'class {index} is not a text')
        return text

    @property
    def online(self) -> bool:
        """Whether the encoder is a submodule (no disk cache)."""
        return self.cache_dir is None

    def __len__(self) -> int:
        return len(self.texts)

    def encode(self, texts: List[str]) -> torch.Tensor:
        """Encode any texts now with the online encoder: (N, D)."""
        if not self.online:
            raise RuntimeError('encode() needs the online mode '
                               '(cache_dir=None)')
        return self.text_encoder(texts)

    def forward(self) -> torch.Tensor:
        """Embeddings of :attr:`texts`, shape (len(texts), D).

        Online: computed now (with gradients unless the encoder is frozen).
        Cached: read from (or first built into) the cache file, float32 on
        the CPU.
        """
        if self.online:
            return self.text_encoder(self.texts)
        if self._cached is None:
            self._cached = self.build_cache()
        return self._cached

    def build_cache(self, force: bool = False) -> torch.Tensor:
        """Load the cache file, building it first when missing or stale.

        Args:
            force (bool): Re-encode even if an up-to-date file exists.

        Returns:
            torch.Tensor: The embeddings (N, D), float32.
        """
        if not force:
            cached = load_cached_embeddings(self.cache_path, self.key,
                                            self.texts)
            if cached is not None:
                return cached
        print_log(
            f'Encoding {len(self.texts)} texts of {self.bank.key} '
            f'({self.bank.path}) into {self.cache_path}',
            logger='current')
        check_text_encoder_files(self.encoder_cfg)
        # the RNG is restored so that a run that builds the cache and one
        # that reads it initialise the model identically
        with torch.random.fork_rng(devices=[]):
            encoder = MODELS.build(dict(self.encoder_cfg, frozen=True))
            with torch.no_grad():
                embeddings = encoder(self.texts).float().cpu()
        save_cached_embeddings(self.cache_path, self.key, self.texts,
                               embeddings)
        return embeddings
