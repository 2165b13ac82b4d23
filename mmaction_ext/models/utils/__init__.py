from .body_parts import PARTITIONS, build_partition
from .ctrgcn_blocks import (ChannelwiseTopologyRefinement, CTRGCNBlock,
                            CTRGCNUnit, MultiScaleTemporalConv)
from .frame_batch_norm import FrameBatchNorm
from .graph_norm import GraphNorm
from .linear_attention import LinearAttention
from .multiscale_graph_conv import MultiScaleGraphConv, k_hop_adjacencies
from .node_layer_norm import NodeLayerNorm
from .part_pooling import BodyPartPooling
from .skeleton_graph import SkeletonGraph
from .trgnet_blocks import (DilatedAttentionLayer, DilatedResidualLayer,
                            SpatialFusion, TextGuidedGraphConv, joint_major)
from .vg_norm import VGNorm

__all__ = [
    'ChannelwiseTopologyRefinement', 'CTRGCNUnit', 'MultiScaleTemporalConv',
    'CTRGCNBlock', 'BodyPartPooling', 'PARTITIONS', 'build_partition',
    'LinearAttention', 'MultiScaleGraphConv', 'k_hop_adjacencies',
    'TextGuidedGraphConv', 'DilatedAttentionLayer', 'SpatialFusion',
    'DilatedResidualLayer', 'joint_major', 'SkeletonGraph', 'FrameBatchNorm',
    'GraphNorm', 'NodeLayerNorm', 'VGNorm'
]
