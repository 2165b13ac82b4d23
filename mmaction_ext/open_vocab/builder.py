"""Build an open-vocabulary detector from a config dict."""
import copy
from typing import Union

from ..utils.errors import UnknownNameError
from .base_open_vocab_detector import BaseOpenVocabDetector
from .registry import OPEN_VOCAB_DETECTORS

# Short names for the command line tools.
BACKENDS = dict(
    owlv2='OWLv2Detector',
    grounding_dino='HFGroundingDINODetector',
    mmdet_grounding_dino='MMDetGroundingDINODetector')


def build_open_vocab_detector(
        cfg: Union[dict, BaseOpenVocabDetector]) -> BaseOpenVocabDetector:
    """A detector from ``dict(type=..., **kwargs)`` (or one as it is).

    ``type`` is a registered class name or a short name of ``BACKENDS``.

    Raises:
        UnknownNameError: For a type that is neither.
    """
    if isinstance(cfg, BaseOpenVocabDetector):
        return cfg
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise UnknownNameError(f'a detector config is a dict with a "type", '
                               f'got {cfg!r}')
    cfg = copy.deepcopy(dict(cfg))
    name = BACKENDS.get(cfg['type'], cfg['type'])
    if name not in OPEN_VOCAB_DETECTORS.module_dict:
        known = sorted(BACKENDS) + sorted(OPEN_VOCAB_DETECTORS.module_dict)
        raise UnknownNameError(f'unknown open-vocabulary detector backend '
                               f'{cfg["type"]!r}; known: {known}')
    cfg['type'] = name
    return OPEN_VOCAB_DETECTORS.build(cfg)
