from .relation_data_preprocessor import RelationDataPreprocessor
from .segmentation_data_preprocessor import SegmentationDataPreprocessor
from .skeleton_stream_preprocessor import SkeletonStreamPreprocessor

__all__ = [
    'SkeletonStreamPreprocessor', 'SegmentationDataPreprocessor',
    'RelationDataPreprocessor'
]
