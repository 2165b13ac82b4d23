from .dist_utils import setup_cpu_distributed

__all__ = ['setup_cpu_distributed']
