import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmaction_ext.structures.hhi_pair_boxes import pair_box_masks


def _conv_out(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


@MODELS.register_module()
class HHIPairTokenBuilder(BaseModule):
    """Person-pair tokens of SportsHHI's ``BBoxHeadHHI`` (used by ProDA).

    A token concatenates ``p1_fc(f_p1)``, ``p2_fc(f_p2)``, ``union_fc(
    f_union)`` (each ``in_channels -> pair_channels``) and, with
    ``use_spatial``, a spatial code of the two boxes: their 2-channel
    ``mask_size`` x ``mask_size`` masks inside the union box
    (:func:`~mmaction_ext.structures.hhi_pair_boxes.pair_box_masks`) through
    Conv2d(2->128, k7, s2, p3), MaxPool(3, s2, p1), Conv2d(128->256, k3, p1),
    Sigmoid, flatten, Linear -> ``spatial_channels``. With the defaults the
    token is 3 * 512 + 256 = 1792-d.

    Args:
        in_channels (int): Channels of the pooled RoI features. Defaults
            to 768 (ViT-B).
        pair_channels (int): Output of each of the three projections.
            Defaults to 512.
        use_spatial (bool): Add the box-mask branch. Defaults to True.
        mask_size (int): Side of the box masks. Defaults to 27.
        spatial_channels (int): Output of the mask branch. Defaults to 256.
        init_cfg (dict, optional): Initialisation config.

    Shapes:
        p1_feats, p2_feats, union_feats (P, in_channels), p1_boxes, p2_boxes
        (P, 4) xyxy -> tokens (P, out_channels).
    """

    def __init__(self,
                 in_channels: int = 768,
                 pair_channels: int = 512,
                 use_spatial: bool = True,
                 mask_size: int = 27,
                 spatial_channels: int = 256,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.p1_fc = nn.Linear(in_channels, pair_channels)
        self.p2_fc = nn.Linear(in_channels, pair_channels)
        self.union_fc = nn.Linear(in_channels, pair_channels)
        self.use_spatial = use_spatial
        self.mask_size = mask_size
        self.out_channels = 3 * pair_channels
        if use_spatial:
            side = _conv_out(_conv_out(mask_size, 7, 2, 3), 3, 2, 1)
            self.mask_conv = nn.Sequential(
                nn.Conv2d(2, 128, kernel_size=7, stride=2, padding=3),
                nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
                nn.Conv2d(128, 256, kernel_size=3, padding=1), nn.Sigmoid())
            self.mask_fc = nn.Linear(256 * side * side, spatial_channels)
            self.out_channels += spatial_channels

    def forward(self, p1_feats: Tensor, p2_feats: Tensor, union_feats: Tensor,
                p1_boxes: Tensor, p2_boxes: Tensor) -> Tensor:
        parts = [
            self.p1_fc(p1_feats),
            self.p2_fc(p2_feats),
            self.union_fc(union_feats)
        ]
        if self.use_spatial:
            masks = pair_box_masks(p1_boxes, p2_boxes, self.mask_size)
            code = self.mask_conv(masks.to(p1_feats.dtype))
            parts.append(self.mask_fc(code.flatten(1)))
        return torch.cat(parts, dim=1)
