from .ctrgcn import CTRGCN
from .sage_relation_encoder import SAGERelationEncoder
from .trgnet import TRGNet

__all__ = ['CTRGCN', 'TRGNet', 'SAGERelationEncoder']
