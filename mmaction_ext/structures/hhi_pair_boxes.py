"""Box geometry of person pairs for human-human interaction (HHI) heads.

``pair_union_boxes`` gives the box RoI-pooled for the pair's union feature;
``pair_box_masks`` draws the two persons' boxes as soft binary masks inside
their union box (the spatial branch of SportsHHI's ``BBoxHeadHHI``, after
neural-motifs' ``draw_rectangles``).
"""
import torch
from torch import Tensor


def _check_pair_boxes(p1: Tensor, p2: Tensor, caller: str) -> None:
    if p1.dim() != 2 or p1.shape[-1] != 4 or p1.shape != p2.shape:
        raise ValueError(f'{caller}: expected two (P, 4) box tensors of the '
                         f'same shape, got {tuple(p1.shape)} and '
                         f'{tuple(p2.shape)}')
    for name, boxes in (('p1', p1), ('p2', p2)):
        bad = (boxes[:, 2] < boxes[:, 0]) | (boxes[:, 3] < boxes[:, 1])
        if bad.any():
            row = int(bad.nonzero()[0, 0])
            raise ValueError(f'{caller}: {name} box {row} is not x1<=x2, '
                             f'y1<=y2: {boxes[row].tolist()}')


def pair_union_boxes(p1: Tensor,
                     p2: Tensor,
                     min_corner_quirk: bool = False) -> Tensor:
    """The union box of each person pair, (P, 4) xyxy.

    Args:
        p1 (Tensor): Person-1 boxes (P, 4) xyxy.
        p2 (Tensor): Person-2 boxes (P, 4) xyxy.
        min_corner_quirk (bool): Take the *minimum* of x2 and y2 as the
            public SportsHHI / ProDA code's ``bboxes2union`` does (so the
            "union" is the top-left part of the pair, often not covering
            either person). Defaults to False (the true union).
    """
    _check_pair_boxes(p1, p2, 'pair_union_boxes')
    top_left = torch.minimum(p1[:, :2], p2[:, :2])
    if min_corner_quirk:
        bottom_right = torch.minimum(p1[:, 2:], p2[:, 2:])
    else:
        bottom_right = torch.maximum(p1[:, 2:], p2[:, 2:])
    return torch.cat([top_left, bottom_right], dim=1)


def _axis_coverage(start: Tensor, end: Tensor, size: int) -> Tensor:
    """Fraction of each of ``size`` unit cells covered by [start, end].

    start, end (P,) in cell units -> (P, size).
    """
    cells = torch.arange(size, dtype=start.dtype, device=start.device)
    left = (cells + 1 - start[:, None]).clamp(0, 1)
    right = (end[:, None] - cells).clamp(0, 1)
    return left * right


def pair_box_masks(p1: Tensor, p2: Tensor, size: int = 27) -> Tensor:
    """Soft masks of the two boxes on a ``size`` x ``size`` grid over their
    (true) union box, (P, 2, size, size), values in [0, 1].

    A cell's value is the product of its covered fractions along x and y.
    """
    _check_pair_boxes(p1, p2, 'pair_box_masks')
    union = pair_union_boxes(p1, p2)
    origin = union[:, :2].repeat(1, 2)
    extent = (union[:, 2:] - union[:, :2]).clamp(min=1e-6).repeat(1, 2)
    masks = []
    for boxes in (p1, p2):
        cells = (boxes - origin) * size / extent
        cover_x = _axis_coverage(cells[:, 0], cells[:, 2], size)
        cover_y = _axis_coverage(cells[:, 1], cells[:, 3], size)
        masks.append(cover_y[:, :, None] * cover_x[:, None, :])
    return torch.stack(masks, dim=1)
