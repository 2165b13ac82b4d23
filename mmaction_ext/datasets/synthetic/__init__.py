"""Embedded synthetic datasets generated from a seed."""
from .scene_graph_videos import (SYNTHETIC_ACTIONS, SYNTHETIC_OBJECTS,
                                 SYNTHETIC_RELATIONS, make_video,
                                 write_synthetic_scene_graphs)

__all__ = [
    'SYNTHETIC_ACTIONS', 'SYNTHETIC_OBJECTS', 'SYNTHETIC_RELATIONS',
    'make_video', 'write_synthetic_scene_graphs'
]
