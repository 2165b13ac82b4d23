"""Build an open-vocabulary detector or a segmenter from a config dict."""
import copy
from typing import Optional, Union

from ..utils.errors import UnknownNameError
from .base_open_vocab_detector import BaseOpenVocabDetector
from .base_segmenter import BaseSegmenter
from .registry import OPEN_VOCAB_DETECTORS, SEGMENTERS

# Short names for the command line tools.
BACKENDS = dict(
    owlv2='OWLv2Detector',
    grounding_dino='HFGroundingDINODetector',
    mmdet_grounding_dino='MMDetGroundingDINODetector')
SEGMENTER_BACKENDS = dict(sam='SAMSegmenter')


def _build(cfg, short_names, registry, noun, what):
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise UnknownNameError(f'a {noun} config is a dict with a "type", '
                               f'got {cfg!r}')
    cfg = copy.deepcopy(dict(cfg))
    name = short_names.get(cfg['type'], cfg['type'])
    if name not in registry.module_dict:
        known = sorted(short_names) + sorted(registry.module_dict)
        raise UnknownNameError(f'unknown {what} backend {cfg["type"]!r}; '
                               f'known: {known}')
    cfg['type'] = name
    return registry.build(cfg)


def build_open_vocab_detector(
        cfg: Union[dict, BaseOpenVocabDetector]) -> BaseOpenVocabDetector:
    """A detector from ``dict(type=..., **kwargs)`` (or one as it is).

    ``type`` is a registered class name or a short name of ``BACKENDS``.

    Raises:
        UnknownNameError: For a type that is neither.
    """
    if isinstance(cfg, BaseOpenVocabDetector):
        return cfg
    return _build(cfg, BACKENDS, OPEN_VOCAB_DETECTORS, 'detector',
                  'open-vocabulary detector')


def build_segmenter(
        cfg: Union[None, dict, BaseSegmenter]) -> Optional[BaseSegmenter]:
    """A segmenter from ``dict(type=..., **kwargs)``; None stays None.

    ``type`` is a registered class name or a short name of
    ``SEGMENTER_BACKENDS``.

    Raises:
        UnknownNameError: For a type that is neither.
    """
    if cfg is None or isinstance(cfg, BaseSegmenter):
        return cfg
    return _build(cfg, SEGMENTER_BACKENDS, SEGMENTERS, 'segmenter',
                  'segmenter')
