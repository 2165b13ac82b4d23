from typing import Dict, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS

# (row, column) entries of the binary graph A used by GAP's modality
# transform X <- (I - A^k) X, 0-based.
# NTU RGB+D: InfoGCN's tree rooted at SpineMid, A[child, parent] = 1, so row
# i becomes x_i - x_(k-th ancestor of i) (joints with no k-th ancestor keep
# x_i); k=1 gives bone vectors.
_NTU_PARENT_CHILD = ((2, 1), (2, 21), (21, 3), (3, 4), (21, 5), (5, 6), (6, 7),
                     (7, 8), (8, 23), (23, 22), (21, 9), (9, 10), (10, 11),
                     (11, 12), (12, 25), (25, 24), (1, 13), (13, 14), (14, 15),
                     (15, 16), (1, 17), (17, 18), (18, 19), (19, 20))
# NW-UCLA: the official code uses A[parent, child] = 1 (its "outward" edges),
# so row p becomes x_p minus the sum of its depth-k descendants. A quirk,
# kept because it produced the published numbers.
_UCLA_CHILD_PARENT = ((1, 2), (2, 3), (4, 3), (5, 3), (6, 5), (7, 6), (8, 7),
                      (9, 3), (10, 9), (11, 10), (12, 11), (13, 1), (14, 13),
                      (15, 14), (16, 15), (17, 1), (18, 17), (19, 18), (20,
                                                                        19))
GRAPH_EDGES = {
    'nturgb+d': (25, tuple((c - 1, p - 1) for p, c in _NTU_PARENT_CHILD)),
    'nwucla': (20, tuple((p - 1, c - 1) for c, p in _UCLA_CHILD_PARENT)),
}


def k_hop_difference_matrix(num_joints: int, edges: Sequence[Tuple[int, int]],
                            k: int) -> np.ndarray:
    """``I - A^k`` (V, V) for the binary graph with entries ``edges``."""
    adjacency = np.zeros((num_joints, num_joints))
    for row, column in edges:
        adjacency[row, column] = 1
    return np.eye(num_joints) - np.linalg.matrix_power(adjacency, k)


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
        layout (str | dict): ``'nturgb+d'``, ``'nwucla'`` or
            ``dict(num_joints=V, edges=[(row, column), ...])``.
    """

    def __init__(self,
                 k: int = 1,
                 layout: Union[str, dict] = 'nturgb+d') -> None:
        if isinstance(layout, str):
            if layout not in GRAPH_EDGES:
                raise KeyError(f'unknown layout {layout!r}; choose from '
                               f'{sorted(GRAPH_EDGES)} or pass a dict')
            num_joints, edges = GRAPH_EDGES[layout]
        else:
            num_joints, edges = layout['num_joints'], layout['edges']
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
