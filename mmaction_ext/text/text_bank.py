"""Versioned text description banks of action classes.

A bank is one human-readable YAML file per label set (``text/banks/``)::

    schema: mmaction_ext.text_bank/1
    name: ntu120                  # label set
    version: 1                    # bump whenever any text changes
    label_subsets: {ntu60: 60}    # optional: label sets that are the
                                  # first N classes of this one
    parts: [head, hand, arm, hip, leg, foot]
    classes:                      # in class-index order
    - index: 0
      label: drink water          # the benchmark's official class name
      prompt_label: drink water   # optional: the name GAP's prompts use
      synonyms: [sip water, ...]  # >= 1 other names (GAP uses about 10)
      paragraph: >-
        The person lifts a cup ...
      parts:                      # one description per body part of `parts`
        head: head stays upright, then tilts slightly back ...
        hand: ...

A bundled class list of ``mmaction_ext/datasets/label_maps`` also serves as
a bank of names only: ``'label_map:vidvrd_objects'`` gives each class its
label and, as its one synonym, the label with spaces for underscores
(``giant_panda`` -> ``giant panda``); its version is a digest of the file.

Classes may carry extra keys (e.g. ``joints`` descriptions) that other methods
read through :meth:`TextBank.field`. ``name`` and ``version`` key every cache
of encoded text, so edited texts are never served from a stale cache.
"""
import hashlib
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import yaml

SCHEMA = 'mmaction_ext.text_bank/1'
LABEL_MAP_PREFIX = 'label_map:'
BANK_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'banks')


class TextBankError(ValueError):
    """A text bank file is malformed or does not fit its use."""


def resolve_bank_path(name_or_path: str) -> str:
    """Path of a bank given as a file path or a bundled bank name.

    Args:
        name_or_path (str): ``'ntu120'`` (a bank shipped in ``text/banks``)
            or a path to a YAML file.

    Returns:
        str: An existing file path.
    """
    if osp.isfile(name_or_path):
        return name_or_path
    bundled = osp.join(BANK_DIR, f'{name_or_path}.yaml')
    if osp.isfile(bundled):
        return bundled
    available = sorted(
        osp.splitext(f)[0] for f in os.listdir(BANK_DIR)
        if f.endswith('.yaml'))
    raise FileNotFoundError(
        f'Text bank {name_or_path!r} is neither a file nor a bundled bank '
        f'(bundled: {available})')


def label_map_bank(name: str):
    """(path, bank data) of the bundled label map ``name``: names only."""
    from mmaction_ext.datasets.label_maps import (label_map_file,
                                                  load_label_map)
    path = label_map_file(name)
    with open(path, 'rb') as f:
        digest = hashlib.sha1(f.read()).hexdigest()[:12]
    classes = [
        dict(label=label, synonyms=[label.replace('_', ' ')])
        for label in load_label_map(name)
    ]
    return path, dict(
        schema=SCHEMA,
        name=f'label_map_{name}',
        version=digest,
        classes=classes)


class TextBank:
    """Class descriptions loaded from a bank file and checked on loading.

    Args:
        name_or_path (str): Bundled bank name (e.g. ``'ntu120'``), path, or
            ``'label_map:<bundled label map>'``.
        num_classes (int, optional): Classes of the model. Fewer than the
            bank describes is allowed only for a label set listed in the
            bank's ``label_subsets`` (``ntu120`` lists ``ntu60: 60``: NTU
            RGB+D 60 = its first 60 classes), whose first ``num_classes``
            classes are used; anything else is an error.
        required_parts (Sequence[str], optional): Parts every class must
            describe (non-empty).
        min_synonyms (int): Synonyms every class must have. Defaults to 1.
    """

    def __init__(self,
                 name_or_path: str,
                 num_classes: Optional[int] = None,
                 required_parts: Optional[Sequence[str]] = None,
                 min_synonyms: int = 1) -> None:
        if name_or_path.startswith(LABEL_MAP_PREFIX):
            self.path, data = label_map_bank(
                name_or_path[len(LABEL_MAP_PREFIX):])
        else:
            self.path = resolve_bank_path(name_or_path)
            with open(self.path, encoding='utf-8') as f:
                data = yaml.safe_load(f)
        self._check_header(data)
        self.name = data['name']
        self.version = data['version']
        self.parts = list(data.get('parts', []))
        classes = data['classes']
        if num_classes is not None:
            if num_classes > len(classes):
                raise TextBankError(
                    f'{self.path}: the model has {num_classes} classes but '
                    f'the bank describes only {len(classes)}')
            if num_classes < len(classes):
                self._check_subset(data, num_classes, len(classes))
            classes = classes[:num_classes]
        self.classes: List[Dict] = classes
        self._check_classes(required_parts or [], min_synonyms)

    def _check_subset(self, data, num_classes, available) -> None:
        subsets = data.get('label_subsets') or {}
        if num_classes not in subsets.values():
            raise self._error(
                f'the model has {num_classes} classes but the bank describes '
                f'{available}; a bank serves fewer classes only for a label '
                'set made of its first classes that it lists under '
                f'`label_subsets` (listed: {subsets or "none"})')

    def _error(self, message: str) -> TextBankError:
        return TextBankError(f'{self.path}: {message}')

    def _check_header(self, data) -> None:
        if not isinstance(data, dict) or data.get('schema') != SCHEMA:
            raise self._error(f'not a text bank (expected "schema: {SCHEMA}")')
        for key in ('name', 'version', 'classes'):
            if key not in data:
                raise self._error(f'missing top-level key {key!r}')
        if not isinstance(data['classes'], list) or not data['classes']:
            raise self._error('"classes" must be a non-empty list')

    def _check_classes(self, required_parts, min_synonyms) -> None:
        unknown = [p for p in required_parts if p not in self.parts]
        if unknown:
            raise self._error(f'unknown part name(s) {unknown}; the bank '
                              f'describes {self.parts}')
        for index, cls in enumerate(self.classes):
            label = cls.get('label') if isinstance(cls, dict) else None
            where = f'class {index} ({label!r})'
            if not label or not isinstance(label, str):
                raise self._error(f'class {index} has no label')
            if cls.get('index', index) != index:
                raise self._error(f'{where} is listed at position {index} '
                                  f'but says index {cls["index"]}')
            synonyms = cls.get('synonyms') or []
            if len(synonyms) < min_synonyms or not all(
                    isinstance(s, str) and s.strip() for s in synonyms):
                raise self._error(f'{where} needs at least {min_synonyms} '
                                  'non-empty synonyms')
            parts = cls.get('parts') or {}
            for part in required_parts:
                text = parts.get(part)
                if not isinstance(text, str) or not text.strip():
                    raise self._error(f'{where} has an empty or missing '
                                      f'{part!r} description')

    def __len__(self) -> int:
        return len(self.classes)

    @property
    def labels(self) -> List[str]:
        """Class names in index order."""
        return [cls['label'] for cls in self.classes]

    @property
    def key(self) -> str:
        """``name@version``: identifies the texts for caches."""
        return f'{self.name}@{self.version}'

    def synonyms(self, index: int, with_label: bool = True) -> List[str]:
        """Names of a class: its label first (if asked), then synonyms."""
        cls = self.classes[index]
        return ([cls['label']] if with_label else []) + list(cls['synonyms'])

    def paragraph(self, index: int) -> str:
        return self._text(index, 'paragraph')

    def part(self, index: int, part: str) -> str:
        """The description of ``part`` in class ``index``."""
        text = (self.classes[index].get('parts') or {}).get(part)
        if not text:
            raise self._error(f'class {index} ({self.labels[index]!r}) has '
                              f'no {part!r} description')
        return text.strip()

    def field(self, index: int, key: str) -> Union[str, List, Dict]:
        """Any other per-class entry, e.g. a method-specific description."""
        return self._text(index, key)

    def _text(self, index, key):
        value = self.classes[index].get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise self._error(f'class {index} ({self.labels[index]!r}) has '
                              f'no {key!r}')
        return value.strip() if isinstance(value, str) else value

    def check_labels(self, labels: Sequence[str]) -> None:
        """Raise unless the bank's labels equal ``labels`` in order."""
        if len(labels) != len(self):
            raise self._error(f'{len(self)} classes, expected {len(labels)}')
        for index, (ours, theirs) in enumerate(zip(self.labels, labels)):
            if ours != theirs:
                raise self._error(f'class {index} is {ours!r}, the label '
                                  f'list says {theirs!r}')
