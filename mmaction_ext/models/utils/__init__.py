from .body_parts import PARTITIONS, build_partition
from .ctrgcn_blocks import (ChannelwiseTopologyRefinement, CTRGCNBlock,
                            CTRGCNUnit, MultiScaleTemporalConv)
from .part_pooling import BodyPartPooling

__all__ = [
    'ChannelwiseTopologyRefinement', 'CTRGCNUnit', 'MultiScaleTemporalConv',
    'CTRGCNBlock', 'BodyPartPooling', 'PARTITIONS', 'build_partition'
]
