from .ctrgcn import CTRGCN
from .dual_ai_encoder import DualAIEncoder
from .sage_relation_encoder import SAGERelationEncoder
from .trgnet import TRGNet
from .vjepa2 import VJEPA2

__all__ = [
    'CTRGCN', 'SAGERelationEncoder', 'DualAIEncoder', 'TRGNet', 'VJEPA2'
]
