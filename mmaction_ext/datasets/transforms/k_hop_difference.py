from typing import Dict, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from mmaction_ext.structures.skeleton_layouts import (k_hop_difference_matrix,
                                                      k_hop_graph_edges)


@TRANSFORMS.register_module()
class KHopDifference(BaseTransform):
    """GAP's in-model modality transform, X <- (I - A^k) X per frame.

    With the NTU tree, ``k=1`` gives bone vectors and ``k=8`` the official
    GAP "joint" stream (each joint relative to its 8th ancestor). Being
    linear and per-frame, it commutes with frame differences, so motion
    streams may take it before or after ``ToMotion``.

    Required keys: ``keypoint`` (M, T, V, C). Modified: ``keypoint``.

    Args:
        k (int): Hops. Defaults to 1.
        layout (str | dict): ``'nturgb+d'``, ``'nwucla'`` (GAP's graphs,
            see :data:`~mmaction_ext.structures.skeleton_layouts.
            K_HOP_GRAPHS`), another layout name (its inward edges) or
            ``dict(num_joints=V, edges=[(row, column), ...])``.
    """

    def __init__(self,
                 k: int = 1,
                 layout: Union[str, dict] = 'nturgb+d') -> None:
        num_joints, edges = k_hop_graph_edges(layout)
        self.k = k
        self.layout = layout
        self.matrix = k_hop_difference_matrix(num_joints, edges, k)

    def transform(self, results: Dict) -> Dict:
        keypoint = results['keypoint']
        if keypoint.shape[2] != len(self.matrix):
            raise ValueError(
                f'KHopDifference for {len(self.matrix)} joints got sample '
                f'{results.get("frame_dir")!r} with {keypoint.shape[2]}')
        results['keypoint'] = np.einsum('uv,mtvc->mtuc', self.matrix,
                                        keypoint).astype(keypoint.dtype)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(k={self.k}, layout={self.layout!r})'
