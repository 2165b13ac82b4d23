from .class_wise_accuracy import ClassWiseAccuracy
from .proda_metric import ProDAMetric
from .segmentation_metric import SegmentationMetric
from .sportshhi_metric import SportsHHIMetric
from .vidvrd_metric import VidVRDMetric
from .vidvrd_segment_metric import VidVRDSegmentMetric

__all__ = [
    'ClassWiseAccuracy', 'ProDAMetric', 'SegmentationMetric',
    'SportsHHIMetric', 'VidVRDMetric', 'VidVRDSegmentMetric'
]
