from .dynamic_prompt_module import DynamicPromptModule
from .gate_fusion import GateFusion
from .graph_readout import GraphReadout
from .simple_prompt import SimplePrompt
from .vgpnn import VGPNN
from .vgpnn_layer import VGPNNLayer

__all__ = [
    'DynamicPromptModule', 'GateFusion', 'GraphReadout', 'SimplePrompt',
    'VGPNN', 'VGPNNLayer'
]
