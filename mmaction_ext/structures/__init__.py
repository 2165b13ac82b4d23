from .segmentation_data_sample import (SegmentationDataSample,
                                       boundary_pos_weight,
                                       labels_to_boundaries)
from .skeleton_layouts import (PARTITIONS, SKELETON_LAYOUTS, SkeletonLayout,
                               get_layout)

__all__ = [
    'SegmentationDataSample', 'boundary_pos_weight', 'labels_to_boundaries',
    'SkeletonLayout', 'SKELETON_LAYOUTS', 'PARTITIONS', 'get_layout'
]
