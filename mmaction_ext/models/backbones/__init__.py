from .ctrgcn import CTRGCN
from .trgnet import TRGNet

__all__ = ['CTRGCN', 'TRGNet']
