from .gap_recognizer import GAPRecognizer

__all__ = ['GAPRecognizer']
