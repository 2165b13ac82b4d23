"""The registries of open-vocabulary detector and segmenter backends."""
from mmengine.registry import Registry

OPEN_VOCAB_DETECTORS = Registry('open-vocabulary detector')
SEGMENTERS = Registry('segmenter')
