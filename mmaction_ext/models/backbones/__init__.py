from .ctrgcn import CTRGCN
from .dual_ai_encoder import DualAIEncoder
from .trgnet import TRGNet

__all__ = ['CTRGCN', 'TRGNet', 'DualAIEncoder']
