from .likelihood_map_data_preprocessor import LikelihoodMapDataPreprocessor
from .relation_data_preprocessor import RelationDataPreprocessor
from .scene_graph_data_preprocessor import SceneGraphDataPreprocessor
from .segmentation_data_preprocessor import SegmentationDataPreprocessor
from .skeleton_stream_preprocessor import SkeletonStreamPreprocessor

__all__ = [
    'LikelihoodMapDataPreprocessor', 'RelationDataPreprocessor',
    'SceneGraphDataPreprocessor', 'SegmentationDataPreprocessor',
    'SkeletonStreamPreprocessor'
]
