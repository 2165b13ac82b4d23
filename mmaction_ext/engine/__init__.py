from .hooks import (BestCheckpointLinkHook, BoundaryPosWeightHook,
                    CheckpointCheckHook, add_checkpoint_check)
from .optimizers import TrainableParamsOptimWrapperConstructor

__all__ = [
    'BestCheckpointLinkHook', 'BoundaryPosWeightHook', 'CheckpointCheckHook',
    'add_checkpoint_check', 'TrainableParamsOptimWrapperConstructor'
]
