from .body_parts import PARTITIONS, build_partition
from .ctrgcn_blocks import (ChannelwiseTopologyRefinement, CTRGCNBlock,
                            CTRGCNUnit, MultiScaleTemporalConv)
from .linear_attention import LinearAttention
from .multiscale_graph_conv import MultiScaleGraphConv, k_hop_adjacencies
from .part_pooling import BodyPartPooling
from .sage_blocks import (SemanticEnhancement, TokenwiseLinear, masked_mean,
                          transformer_stack)
from .skeleton_graph import SkeletonGraph
from .trgnet_blocks import (DilatedAttentionLayer, DilatedResidualLayer,
                            SpatialFusion, TextGuidedGraphConv, joint_major)

__all__ = [
    'ChannelwiseTopologyRefinement', 'CTRGCNUnit', 'MultiScaleTemporalConv',
    'CTRGCNBlock', 'BodyPartPooling', 'PARTITIONS', 'build_partition',
    'LinearAttention', 'MultiScaleGraphConv', 'k_hop_adjacencies',
    'TextGuidedGraphConv', 'DilatedAttentionLayer', 'SpatialFusion',
    'DilatedResidualLayer', 'joint_major', 'SkeletonGraph',
    'SemanticEnhancement', 'TokenwiseLinear', 'masked_mean',
    'transformer_stack'
]
