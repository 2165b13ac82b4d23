from .gap_head import GAPHead
from .proda_head import ProDAHead
from .trgnet_head import TRGNetHead

__all__ = ['GAPHead', 'TRGNetHead', 'ProDAHead']
