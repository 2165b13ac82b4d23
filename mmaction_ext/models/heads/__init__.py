from .gap_head import GAPHead
from .trgnet_head import TRGNetHead

__all__ = ['GAPHead', 'TRGNetHead']
