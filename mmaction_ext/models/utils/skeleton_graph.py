from typing import Dict, Union

from mmaction.models.utils import Graph
from mmaction_ext.structures.skeleton_layouts import get_layout

# The layout names MMAction2's Graph builds itself.
MMACTION2_LAYOUTS = ('openpose', 'nturgb+d', 'coco')


class SkeletonGraph(Graph):
    """MMAction2's :class:`~mmaction.models.utils.Graph` for every layout.

    Names MMAction2 knows are built by it unchanged; the others (e.g.
    ``'nwucla'``, ``'openpose_body25'``) come from
    :data:`mmaction_ext.structures.skeleton_layouts.SKELETON_LAYOUTS`.

    Args:
        layout (str | dict): A layout name or
            ``dict(num_node, inward, center)``. Defaults to ``'coco'``.
        mode (str): ``'spatial'``, ``'stgcn_spatial'`` or ``'binary_adj'``.
            Defaults to ``'spatial'``.
        max_hop (int): The maximal distance between two connected nodes.
            Defaults to 1.
    """

    def __init__(self,
                 layout: Union[str, Dict] = 'coco',
                 mode: str = 'spatial',
                 max_hop: int = 1) -> None:
        graph_layout = layout
        if isinstance(layout, str) and layout not in MMACTION2_LAYOUTS:
            graph_layout = get_layout(layout).graph_layout()
        super().__init__(graph_layout, mode, max_hop)
        self.layout = layout
