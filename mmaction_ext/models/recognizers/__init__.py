from .gap_recognizer import GAPRecognizer
from .proda_recognizer import ProDARecognizer

__all__ = ['GAPRecognizer', 'ProDARecognizer']
