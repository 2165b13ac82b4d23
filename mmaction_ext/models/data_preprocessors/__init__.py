from .likelihood_map_data_preprocessor import LikelihoodMapDataPreprocessor
from .segmentation_data_preprocessor import SegmentationDataPreprocessor
from .skeleton_stream_preprocessor import SkeletonStreamPreprocessor

__all__ = [
    'LikelihoodMapDataPreprocessor', 'SkeletonStreamPreprocessor',
    'SegmentationDataPreprocessor'
]
