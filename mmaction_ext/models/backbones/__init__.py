from .ctrgcn import CTRGCN
from .sage_relation_encoder import SAGERelationEncoder
from .trgnet import TRGNet
from .vjepa2 import VJEPA2

__all__ = ['CTRGCN', 'SAGERelationEncoder', 'TRGNet', 'VJEPA2']
