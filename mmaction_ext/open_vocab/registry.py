"""The registry of open-vocabulary detector backends."""
from mmengine.registry import Registry

OPEN_VOCAB_DETECTORS = Registry('open-vocabulary detector')
