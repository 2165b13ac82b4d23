from .segmentation_data_sample import (SegmentationDataSample,
                                       boundary_pos_weight,
                                       labels_to_boundaries)

__all__ = [
    'SegmentationDataSample', 'boundary_pos_weight', 'labels_to_boundaries'
]
