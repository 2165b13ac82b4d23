from .segmentation_metric import SegmentationMetric
from .vidvrd_metric import VidVRDMetric
from .vidvrd_segment_metric import VidVRDSegmentMetric

__all__ = ['SegmentationMetric', 'VidVRDMetric', 'VidVRDSegmentMetric']
