"""Open-vocabulary detection -> per-frame, per-class likelihood maps (A2O).

Backends: transformers OWLv2 (default) and Grounding DINO, both pure
PyTorch and offline from a local folder; mmdet's Grounding DINO when full
mmcv is installed. :mod:`.map_cache` stores precomputed maps keyed by the
class list and the detector.
"""
from .base_open_vocab_detector import (BaseOpenVocabDetector, Detections,
                                       check_classes, detections_to_maps)
from .builder import BACKENDS, build_open_vocab_detector
from .hf_grounding_dino_detector import HFGroundingDINODetector
from .map_cache import (check_set_classes, classes_hash, load_video_maps,
                        read_meta, set_key, video_file)
from .map_extraction import (UndecodableVideoError, detect_video, extract_maps,
                             read_video_list)
from .mmdet_grounding_dino_detector import (MMDetGroundingDINODetector,
                                            require_full_mmcv)
from .owlv2_detector import OWLv2Detector
from .registry import OPEN_VOCAB_DETECTORS

__all__ = [
    'BaseOpenVocabDetector', 'Detections', 'check_classes',
    'detections_to_maps', 'BACKENDS', 'build_open_vocab_detector',
    'HFGroundingDINODetector', 'MMDetGroundingDINODetector', 'OWLv2Detector',
    'OPEN_VOCAB_DETECTORS', 'require_full_mmcv', 'check_set_classes',
    'classes_hash', 'load_video_maps', 'read_meta', 'set_key', 'video_file',
    'UndecodableVideoError', 'detect_video', 'extract_maps', 'read_video_list'
]
