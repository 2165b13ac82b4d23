from typing import Dict

from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


@MODELS.register_module()
class ProDAHead(BaseModule):
    """ProDA's classifiers a_u, a_s, a_t and the auxiliary probe a_m.

    a_u and a_s have C + 1 outputs, the last being "no-action" (the branch
    holds no true action); a_t (the fused video prediction) and a_m (from
    the video encoder's features, before disentanglement) have C.

    Args:
        in_channels (int): D of the video features.
        num_classes (int): C.
        dropout (float): Dropout before each classifier. Defaults to 0.
        init_cfg (dict, optional): Defaults to a normal init, std 0.01.
    """

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        dropout: float = 0.,
        init_cfg=dict(type='Normal', layer='Linear', std=0.01)
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.dropout = nn.Dropout(dropout)
        self.cls_u = nn.Linear(in_channels, num_classes + 1)
        self.cls_s = nn.Linear(in_channels, num_classes + 1)
        self.cls_t = nn.Linear(in_channels, num_classes)
        self.cls_m = nn.Linear(in_channels, num_classes)

    def forward(self, feats: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Logits from the video features ``u``, ``s``, ``t`` (S, D) and
        ``m`` (B, D), as ``a_u``, ``a_s``, ``a_t``, ``a_m``."""
        return {
            f'a_{k}': getattr(self, f'cls_{k}')(self.dropout(v))
            for k, v in feats.items()
        }
