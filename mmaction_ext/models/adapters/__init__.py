from .likelihood_map_adapter import LikelihoodMapAdapter

__all__ = ['LikelihoodMapAdapter']
