from .segmentation_metric import SegmentationMetric

__all__ = ['SegmentationMetric']
