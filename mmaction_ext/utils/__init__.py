from .dist_utils import setup_cpu_distributed, teardown_distributed
from .train_only import drop_train_only_args

__all__ = [
    'setup_cpu_distributed', 'teardown_distributed', 'drop_train_only_args'
]
