from .attentive_probe_head import AttentiveProbeHead
from .gap_head import GAPHead
from .proda_head import ProDAHead
from .sage_head import SAGEHead
from .trgnet_head import TRGNetHead

__all__ = [
    'AttentiveProbeHead', 'GAPHead', 'ProDAHead', 'SAGEHead', 'TRGNetHead'
]
