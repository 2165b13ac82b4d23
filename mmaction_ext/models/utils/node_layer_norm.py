from mmaction.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class NodeLayerNorm(nn.LayerNorm):
    """LayerNorm over each node's channels; padded nodes stay zero.

    An ablation of ProDA's Table 4. Same call as :class:`VGNorm`.

    Args:
        embed_dims (int): D.
        eps (float): Defaults to 1e-5.
    """

    def __init__(self, embed_dims: int, eps: float = 1e-5) -> None:
        super().__init__(embed_dims, eps=eps)

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        return super().forward(x) * mask.unsqueeze(-1)
