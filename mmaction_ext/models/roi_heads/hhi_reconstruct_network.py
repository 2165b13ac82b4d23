from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


@MODELS.register_module()
class HHIReconstructNetwork(BaseModule):
    """ProDA's Net_1 on SportsHHI: rebuild the pair token from the fused one.

    ``num_layers`` blocks of [Dropout, Linear D->D, GELU]; the last block
    has a LayerNorm before its GELU. The official code builds that
    LayerNorm with ``eps=1`` (``final_norm_eps=1.0``), which flattens the
    normalisation of small activations; ``final_norm_eps=1e-5`` gives
    PyTorch's default.

    Args:
        embed_dims (int): D. Defaults to 1792.
        num_layers (int): Blocks. Defaults to 3.
        dropout (float): Defaults to 0.1.
        final_norm_eps (float): eps of the last block's LayerNorm.
            Defaults to 1.0 (official).
        init_cfg (dict, optional): Initialisation config.

    Shapes:
        x (..., D) -> (..., D).
    """

    def __init__(self,
                 embed_dims: int = 1792,
                 num_layers: int = 3,
                 dropout: float = 0.1,
                 final_norm_eps: float = 1.0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_layers < 1:
            raise ValueError(f'HHIReconstructNetwork: num_layers must be '
                             f'>= 1, got {num_layers}')
        blocks = []
        for index in range(num_layers):
            block = [nn.Dropout(dropout), nn.Linear(embed_dims, embed_dims)]
            if index == num_layers - 1:
                block.append(nn.LayerNorm(embed_dims, eps=final_norm_eps))
            block.append(nn.GELU())
            blocks.append(nn.Sequential(*block))
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x: Tensor) -> Tensor:
        return self.blocks(x)
