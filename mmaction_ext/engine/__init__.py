from .hooks import (BoundaryPosWeightHook, CheckpointCheckHook,
                    add_checkpoint_check)
from .optimizers import TrainableParamsOptimWrapperConstructor

__all__ = [
    'BoundaryPosWeightHook', 'CheckpointCheckHook', 'add_checkpoint_check',
    'TrainableParamsOptimWrapperConstructor'
]
