from .a2o_recognizer import A2ORecognizer
from .gap_recognizer import GAPRecognizer
from .proda_recognizer import ProDARecognizer

__all__ = ['A2ORecognizer', 'GAPRecognizer', 'ProDARecognizer']
