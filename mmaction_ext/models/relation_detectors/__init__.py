from .sage_detector import SAGEDetector

__all__ = ['SAGEDetector']
