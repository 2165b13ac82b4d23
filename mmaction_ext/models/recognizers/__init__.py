from .a2o_recognizer import A2ORecognizer
from .gap_recognizer import GAPRecognizer

__all__ = ['A2ORecognizer', 'GAPRecognizer']
