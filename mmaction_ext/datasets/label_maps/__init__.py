"""Official class and joint lists, one name per line, ``#`` lines comments.

Each file states its public source in its header, as MMAction2 keeps its
``label_map`` files: ``<dataset>.txt`` lists classes by index and
``joints_<layout>.txt`` joints by index (a tab may follow the name with a
description).
"""
import os.path as osp
from typing import List

LABEL_MAP_DIR = osp.dirname(osp.abspath(__file__))


def label_map_file(name: str) -> str:
    """Path of the bundled list ``name`` (e.g. ``'ntu120'``)."""
    path = osp.join(LABEL_MAP_DIR, f'{name}.txt')
    if not osp.isfile(path):
        raise FileNotFoundError(f'no bundled label map {name!r} ({path})')
    return path


def load_label_map(name: str) -> List[str]:
    """Names (before any tab) of the bundled list ``name``, in order."""
    with open(label_map_file(name), encoding='utf-8') as f:
        return [
            line.rstrip('\n').split('\t')[0] for line in f
            if line.strip() and not line.startswith('#')
        ]
