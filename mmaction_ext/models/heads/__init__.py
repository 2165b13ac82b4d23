from .gap_head import GAPHead
from .sage_head import SAGEHead
from .trgnet_head import TRGNetHead

__all__ = ['GAPHead', 'TRGNetHead', 'SAGEHead']
