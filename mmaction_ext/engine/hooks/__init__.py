from .boundary_pos_weight_hook import BoundaryPosWeightHook
from .checkpoint_check_hook import CheckpointCheckHook, add_checkpoint_check

__all__ = [
    'BoundaryPosWeightHook', 'CheckpointCheckHook', 'add_checkpoint_check'
]
