from .proda_metric import ProDAMetric
from .segmentation_metric import SegmentationMetric
from .vidvrd_metric import VidVRDMetric

__all__ = ['SegmentationMetric', 'VidVRDMetric', 'ProDAMetric']
