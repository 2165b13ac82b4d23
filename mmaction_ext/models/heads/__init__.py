from .gap_head import GAPHead

__all__ = ['GAPHead']
