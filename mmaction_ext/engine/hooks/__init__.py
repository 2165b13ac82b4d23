from .best_checkpoint_link_hook import BestCheckpointLinkHook
from .boundary_pos_weight_hook import BoundaryPosWeightHook
from .checkpoint_check_hook import CheckpointCheckHook, add_checkpoint_check
from .text_classes_check_hook import TextClassesCheckHook, check_text_classes

__all__ = [
    'BestCheckpointLinkHook', 'BoundaryPosWeightHook', 'CheckpointCheckHook',
    'add_checkpoint_check', 'TextClassesCheckHook', 'check_text_classes'
]
