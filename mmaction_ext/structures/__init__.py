from .segmentation_data_sample import (SegmentationDataSample,
                                       labels_to_boundaries)

__all__ = ['SegmentationDataSample', 'labels_to_boundaries']
