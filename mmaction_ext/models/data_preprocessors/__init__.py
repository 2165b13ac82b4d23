from .scene_graph_data_preprocessor import SceneGraphDataPreprocessor
from .segmentation_data_preprocessor import SegmentationDataPreprocessor
from .skeleton_stream_preprocessor import SkeletonStreamPreprocessor

__all__ = [
    'SkeletonStreamPreprocessor', 'SegmentationDataPreprocessor',
    'SceneGraphDataPreprocessor'
]
