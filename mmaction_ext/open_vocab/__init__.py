"""Open-vocabulary detection -> per-frame, per-class likelihood maps (A2O).

Backends: transformers OWLv2 (default) and Grounding DINO, both pure
PyTorch and offline from a local folder; mmdet's Grounding DINO when full
mmcv is installed. An optional segmenter (transformers SAM, box prompts)
turns the boxes into masks. :mod:`.map_cache` stores precomputed maps
keyed by the class list, the detector and the segmenter.
"""
from .base_open_vocab_detector import (BaseOpenVocabDetector, Detections,
                                       check_classes, detections_to_maps)
from .base_segmenter import BaseSegmenter, masks_to_maps
from .builder import (BACKENDS, SEGMENTER_BACKENDS, build_open_vocab_detector,
                      build_segmenter)
from .hf_grounding_dino_detector import HFGroundingDINODetector
from .map_cache import (check_set_classes, classes_hash, load_video_maps,
                        maps_identity, read_meta, set_key, video_file)
from .map_extraction import (UndecodableVideoError, detect_video, extract_maps,
                             read_video_list)
from .mmdet_grounding_dino_detector import (MMDetGroundingDINODetector,
                                            require_full_mmcv)
from .owlv2_detector import OWLv2Detector
from .registry import OPEN_VOCAB_DETECTORS, SEGMENTERS
from .sam_segmenter import SAMSegmenter

__all__ = [
    'BaseOpenVocabDetector', 'Detections', 'check_classes',
    'detections_to_maps', 'BaseSegmenter', 'masks_to_maps', 'BACKENDS',
    'SEGMENTER_BACKENDS', 'build_open_vocab_detector', 'build_segmenter',
    'HFGroundingDINODetector', 'MMDetGroundingDINODetector', 'OWLv2Detector',
    'SAMSegmenter', 'OPEN_VOCAB_DETECTORS', 'SEGMENTERS', 'require_full_mmcv',
    'check_set_classes', 'classes_hash', 'load_video_maps', 'maps_identity',
    'read_meta', 'set_key', 'video_file', 'UndecodableVideoError',
    'detect_video', 'extract_maps', 'read_video_list'
]
