from .proda_hhi_detector import ProDAHHIDetector

__all__ = ['ProDAHHIDetector']
