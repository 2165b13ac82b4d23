from typing import Tuple

from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


@MODELS.register_module()
class SimplePrompt(BaseModule):
    """Static prompt, the ablation of ProDA's Table 3: ``f + W v``.

    Same call as :class:`DynamicPromptModule`; the returned weights are all
    ones (B, N, M, 1).

    Args:
        num_classes (int): C, length of the specification v.
        embed_dims (int): D of the node features.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 num_classes: int,
                 embed_dims: int,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.proj = nn.Linear(num_classes, embed_dims)

    def forward(self, x: Tensor, spec: Tensor,
                mask: Tensor) -> Tuple[Tensor, Tensor]:
        prompted = (x + self.proj(spec)[:, None, None]) * mask.unsqueeze(-1)
        return prompted, mask.unsqueeze(-1).to(x.dtype)
