from .body_parts import PARTITIONS, build_partition
from .ctrgcn_blocks import (ChannelwiseTopologyRefinement, CTRGCNBlock,
                            CTRGCNUnit, MultiScaleTemporalConv)
from .frame_batch_norm import FrameBatchNorm
from .graph_norm import GraphNorm
from .linear_attention import LinearAttention
from .multiscale_graph_conv import MultiScaleGraphConv, k_hop_adjacencies
from .node_layer_norm import NodeLayerNorm
from .part_pooling import BodyPartPooling
from .sage_blocks import (SemanticEnhancement, TokenwiseLinear, masked_mean,
                          transformer_stack)
from .skeleton_graph import SkeletonGraph
from .trgnet_blocks import (DilatedAttentionLayer, DilatedResidualLayer,
                            SpatialFusion, TextGuidedGraphConv, joint_major)
from .vg_norm import VGNorm

__all__ = [
    'PARTITIONS', 'build_partition', 'ChannelwiseTopologyRefinement',
    'CTRGCNBlock', 'CTRGCNUnit', 'MultiScaleTemporalConv', 'FrameBatchNorm',
    'GraphNorm', 'LinearAttention', 'MultiScaleGraphConv', 'k_hop_adjacencies',
    'NodeLayerNorm', 'BodyPartPooling', 'SemanticEnhancement',
    'TokenwiseLinear', 'masked_mean', 'transformer_stack', 'SkeletonGraph',
    'DilatedAttentionLayer', 'DilatedResidualLayer', 'SpatialFusion',
    'TextGuidedGraphConv', 'joint_major', 'VGNorm'
]
