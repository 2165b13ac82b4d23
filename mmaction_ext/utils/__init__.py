from .cli import run_tool
from .dist_utils import setup_cpu_distributed
from .errors import (BadInputError, CheckpointMismatchError, CorruptFileError,
                     UserInputError)
from .train_only import drop_train_only_args

__all__ = [
    'setup_cpu_distributed', 'drop_train_only_args', 'run_tool',
    'BadInputError', 'CheckpointMismatchError', 'CorruptFileError',
    'UserInputError'
]
