from typing import Tuple

from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmaction_ext.models.utils.scene_graph_ops import masked_softmax, mlp


@MODELS.register_module()
class GraphReadout(BaseModule):
    """ProDA's readout: nodes -> frames -> video, with frame weights s.

    Intra-frame node weights (a softmax over the frame's valid nodes of a
    linear score) pool each frame; frame weights
    ``s = sigmoid(MLP(frame))`` in [0, 1] pool the frames into the video
    feature ``sum_i s_i g_i / sum_i s_i``. Frames without nodes get s = 0.
    s is the localization score of the paper's Sec. 4.4.

    Args:
        embed_dims (int): D.
        dropout (float): Dropout in the frame-weight MLP. Defaults to 0.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 embed_dims: int,
                 dropout: float = 0.,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.node_score = nn.Linear(embed_dims, 1)
        self.frame_score = mlp(embed_dims, embed_dims, 1, dropout)

    def forward(self, x: Tensor, mask: Tensor) -> Tuple[Tensor, Tensor]:
        """Args: x (B, N, M, D), mask (B, N, M).

        Returns:
            tuple[Tensor, Tensor]: video feature (B, D) and frame weights
            s (B, N).
        """
        node_w = masked_softmax(self.node_score(x).squeeze(-1), mask, dim=2)
        frames = (node_w.unsqueeze(-1) * x).sum(2)
        s = self.frame_score(frames).squeeze(-1).sigmoid() * mask.any(-1)
        video = (s.unsqueeze(-1) * frames).sum(1)
        return video / s.sum(1, keepdim=True).clamp(min=1e-6), s
