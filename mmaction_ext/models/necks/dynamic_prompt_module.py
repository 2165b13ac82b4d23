from typing import Tuple

from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


@MODELS.register_module()
class DynamicPromptModule(BaseModule):
    """ProDA's Dynamic Prompt Module (DPM), paper Eq. (1)-(2).

    T candidate prompts ``q = W^q v`` are generated from the action
    specification v; each node gets its own independent sigmoid weights
    ``alpha = sigmoid(W^w (W^y v + f))`` (not a softmax, as in the official
    code's ``GPFPlus``), and its prompted feature is ``f + sum_t alpha_t
    q_t``. ``use_norm=True`` adds the LayerNorm the official code applies
    to ``W^y v + f``; the paper's Eq. (1) has none.

    Args:
        num_classes (int): C, length of the specification v.
        embed_dims (int): D of the node features.
        num_prompts (int): T candidate prompts. Defaults to 10 (official).
        use_norm (bool): LayerNorm before W^w. Defaults to False.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 num_classes: int,
                 embed_dims: int,
                 num_prompts: int = 10,
                 use_norm: bool = False,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_prompts = num_prompts
        self.embed_dims = embed_dims
        self.candidates = nn.Linear(num_classes, num_prompts * embed_dims)
        self.spec_proj = nn.Linear(num_classes, embed_dims)  # W^y
        self.norm = nn.LayerNorm(embed_dims) if use_norm else nn.Identity()
        self.weight_proj = nn.Linear(embed_dims, num_prompts)  # W^w

    def prompt_weights(self, x: Tensor, spec: Tensor) -> Tensor:
        """Per-node weights alpha in [0, 1], (B, N, M, T)."""
        cond = self.spec_proj(spec)[:, None, None]
        return self.weight_proj(self.norm(cond + x)).sigmoid()

    def forward(self, x: Tensor, spec: Tensor,
                mask: Tensor) -> Tuple[Tensor, Tensor]:
        """Prompted node features.

        Args:
            x (Tensor): Node features (B, N, M, D).
            spec (Tensor): Specification multi-hot, float (B, C).
            mask (Tensor): Node mask, bool (B, N, M).

        Returns:
            tuple[Tensor, Tensor]: prompted features (B, N, M, D), zero at
            padded nodes, and the weights (B, N, M, T).
        """
        q = self.candidates(spec).view(-1, self.num_prompts, self.embed_dims)
        alpha = self.prompt_weights(x, spec)
        prompts = (alpha.flatten(1, 2) @ q).view_as(x)
        return (x + prompts) * mask.unsqueeze(-1), alpha
