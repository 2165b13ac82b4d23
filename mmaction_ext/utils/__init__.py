from .dist_utils import setup_cpu_distributed
from .relation_graph import relation_graph
from .train_only import drop_train_only_args

__all__ = ['setup_cpu_distributed', 'drop_train_only_args', 'relation_graph']
