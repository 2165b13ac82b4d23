"""Object and predicate vocabularies of VidVRD / VidOR and their splits.

The lists and base/novel splits are the open-vocabulary ones of RePro
(github.com/Dawn-LX/OpenVoc-VidVRD ``configs/*_spilt_info*.json``), shipped
as ``label_maps/{vidvrd,vidor}_{objects,predicates}[_split].txt``.

Evaluation splits (RePro / OV-MMP naming): ``'all'`` keeps every class,
``'novel'`` keeps all objects and the novel predicates ("TaPn"),
``'base'`` all objects and the base predicates.
"""
from dataclasses import dataclass
from typing import Dict, FrozenSet, Tuple

from .label_maps import label_map_file, load_label_map

DATASETS = ('vidvrd', 'vidor')
EVAL_SPLITS = ('all', 'novel', 'base')


def load_class_split(name: str) -> Dict[str, str]:
    """``{class: 'base' | 'novel'}`` from the bundled list ``name``."""
    path = label_map_file(name)
    split = {}
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.startswith('#'):
                continue
            fields = line.rstrip('\n').split('\t')
            if len(fields) != 2 or fields[1] not in ('base', 'novel'):
                raise ValueError(f'{path}:{lineno}: expected '
                                 f'"name<TAB>base|novel", got {line!r}')
            split[fields[0]] = fields[1]
    return split


@dataclass(frozen=True)
class RelationVocabulary:
    """Class names of one dataset with their base/novel assignment.

    Args:
        name (str): 'vidvrd' or 'vidor'.
        objects (tuple[str]): Object categories (bundled order).
        predicates (tuple[str]): Predicates (bundled order).
        object_split (dict[str, str]): Object -> 'base' | 'novel'.
        predicate_split (dict[str, str]): Predicate -> 'base' | 'novel'.
    """
    name: str
    objects: Tuple[str, ...]
    predicates: Tuple[str, ...]
    object_split: Dict[str, str]
    predicate_split: Dict[str, str]

    def objects_of(self, part: str) -> FrozenSet[str]:
        """Objects whose split is ``part`` ('base' / 'novel' / 'all')."""
        return _select(self.object_split, part)

    def predicates_of(self, part: str) -> FrozenSet[str]:
        """Predicates whose split is ``part`` ('base' / 'novel' / 'all')."""
        return _select(self.predicate_split, part)

    def eval_classes(self, split: str):
        """(objects, predicates) kept by the evaluation ``split``."""
        if split not in EVAL_SPLITS:
            raise ValueError(f'evaluation split must be one of '
                             f'{EVAL_SPLITS}, got {split!r}')
        return self.objects_of('all'), self.predicates_of(split)


def _select(split: Dict[str, str], part: str) -> FrozenSet[str]:
    if part == 'all':
        return frozenset(split)
    if part not in ('base', 'novel'):
        raise ValueError(f"part must be 'all', 'base' or 'novel', got "
                         f'{part!r}')
    return frozenset(name for name, kind in split.items() if kind == part)


def load_vocabulary(dataset: str) -> RelationVocabulary:
    """The bundled vocabulary of ``dataset`` ('vidvrd' or 'vidor')."""
    if dataset not in DATASETS:
        raise ValueError(f'dataset must be one of {DATASETS}, got '
                         f'{dataset!r}')
    lists = {}
    for kind in ('objects', 'predicates'):
        names = load_label_map(f'{dataset}_{kind}')
        split = load_class_split(f'{dataset}_{kind}_split')
        if list(split) != names or len(set(names)) != len(names):
            raise ValueError(f'bundled {dataset}_{kind}.txt and '
                             f'{dataset}_{kind}_split.txt disagree')
        lists[kind] = (tuple(names), split)
    return RelationVocabulary(dataset, lists['objects'][0],
                              lists['predicates'][0], lists['objects'][1],
                              lists['predicates'][1])
