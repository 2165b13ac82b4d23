from .ctrgcn_blocks import (ChannelwiseTopologyRefinement, CTRGCNBlock,
                            CTRGCNUnit, MultiScaleTemporalConv)

__all__ = [
    'ChannelwiseTopologyRefinement', 'CTRGCNUnit', 'MultiScaleTemporalConv',
    'CTRGCNBlock'
]
