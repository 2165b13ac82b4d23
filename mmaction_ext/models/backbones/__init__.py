from .ctrgcn import CTRGCN
from .trgnet import TRGNet
from .vjepa2 import VJEPA2

__all__ = ['CTRGCN', 'TRGNet', 'VJEPA2']
