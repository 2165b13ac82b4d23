from .clip_adapter import CLIPAdapter
from .likelihood_map_adapter import LikelihoodMapAdapter

__all__ = ['CLIPAdapter', 'LikelihoodMapAdapter']
