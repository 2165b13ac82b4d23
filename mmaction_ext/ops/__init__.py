"""Region and trajectory ops shared by the video methods.

``roi_align`` / :class:`RoIAlign` (mmcv's semantics), ``trajectory_roi_align``,
``boxes_to_likelihood_maps`` and ``trajectory_viou``. Each op runs our
compiled kernels when the extension was built (``MMACTION_EXT_WITH_OPS=1
pip install -e . --no-build-isolation``), else ``mmcv.ops`` where it has the
op, else pure PyTorch; ``python -m mmaction_ext.ops`` prints which and why.
"""
from .backends import (BackendUnavailable, backend_table, ext_status,
                       resolve_backend, set_backend, use_backend)
from .likelihood_maps import boxes_to_likelihood_maps
from .roi_align import RoIAlign, roi_align
from .roi_extractor_3d import RoIExtractor3D
from .trajectory_roi_align import trajectory_roi_align
from .trajectory_viou import trajectory_viou

__all__ = [
    'roi_align', 'RoIAlign', 'RoIExtractor3D', 'trajectory_roi_align',
    'boxes_to_likelihood_maps', 'trajectory_viou', 'BackendUnavailable',
    'backend_table', 'ext_status', 'resolve_backend', 'set_backend',
    'use_backend'
]
