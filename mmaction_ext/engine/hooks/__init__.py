from .boundary_pos_weight_hook import BoundaryPosWeightHook
from .text_classes_check_hook import TextClassesCheckHook, check_text_classes

__all__ = [
    'BoundaryPosWeightHook', 'TextClassesCheckHook', 'check_text_classes'
]
