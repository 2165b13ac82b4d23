from .hooks import (BoundaryPosWeightHook, CheckpointCheckHook,
                    add_checkpoint_check)

__all__ = [
    'BoundaryPosWeightHook', 'CheckpointCheckHook', 'add_checkpoint_check'
]
