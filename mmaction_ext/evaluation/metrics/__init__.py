from .segmentation_metric import SegmentationMetric
from .sportshhi_metric import SportsHHIMetric
from .vidvrd_metric import VidVRDMetric

__all__ = ['SegmentationMetric', 'SportsHHIMetric', 'VidVRDMetric']
