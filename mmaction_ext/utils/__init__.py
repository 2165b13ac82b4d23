from .cli import run_tool
from .dist_utils import (exit_cpu_distributed_process, setup_cpu_distributed,
                         teardown_distributed)
from .errors import (BadInputError, CheckpointMismatchError, CorruptFileError,
                     UserInputError)
from .relation_graph import relation_graph
from .train_only import drop_train_only_args

__all__ = [
    'setup_cpu_distributed', 'teardown_distributed',
    'exit_cpu_distributed_process', 'drop_train_only_args', 'relation_graph',
    'run_tool', 'BadInputError', 'CheckpointMismatchError', 'CorruptFileError',
    'UserInputError'
]
