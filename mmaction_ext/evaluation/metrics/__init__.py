from .class_wise_accuracy import ClassWiseAccuracy
from .segmentation_metric import SegmentationMetric
from .sportshhi_metric import SportsHHIMetric
from .vidvrd_metric import VidVRDMetric

__all__ = [
    'ClassWiseAccuracy', 'SegmentationMetric', 'SportsHHIMetric',
    'VidVRDMetric'
]
