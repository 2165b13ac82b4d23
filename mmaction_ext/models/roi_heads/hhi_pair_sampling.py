"""Training pairs of SportsHHI-style interaction heads.

After SportsHHI's ``MaxIoUAssignerHHI`` + ``HHIRandomSampler``: every box
(the GT boxes first when ``add_gt_as_proposals``, then the proposals) is
assigned to the GT person box it overlaps most when that IoU reaches
``pos_iou_thr``; every ordered pair of boxes (self-pairs included) whose two
assigned GT boxes form a GT interaction record is positive and takes that
record's labels. Up to ``num * num * pos_fraction`` positives and
``min(num * num - #pos, neg_pos_ub * max(1, #pos))`` negatives are drawn at
random (torch's global generator). Unlike mmdet's ``MaxIoUAssigner``, no
low-quality re-assignment is made (a box keeps its best GT even when
another GT's best box is the same one).
"""
from typing import Dict, Tuple

import torch
from torch import Tensor


def box_iou(boxes: Tensor, others: Tensor) -> Tensor:
    """IoU of xyxy boxes (N, 4) x (K, 4) -> (N, K)."""
    top_left = torch.maximum(boxes[:, None, :2], others[None, :, :2])
    bottom_right = torch.minimum(boxes[:, None, 2:], others[None, :, 2:])
    inter = (bottom_right - top_left).clamp(min=0).prod(-1)
    area = (boxes[:, 2:] - boxes[:, :2]).prod(-1)
    area_o = (others[:, 2:] - others[:, :2]).prod(-1)
    return inter / (area[:, None] + area_o[None] - inter).clamp(min=1e-6)


def _random_subset(indices: Tensor, count: int) -> Tensor:
    if indices.numel() <= count:
        return indices
    keep = torch.randperm(indices.numel())[:count].to(indices.device)
    return indices[keep].sort().values


def sample_pairs(
    gt_boxes: Tensor,
    proposals: Tensor,
    p1_ids: Tensor,
    p2_ids: Tensor,
    records: Dict[str, Tensor],
    pos_iou_thr: float = 0.7,
    num: int = 32,
    pos_fraction: float = 1.0,
    neg_pos_ub: float = 10.0,
    add_gt_as_proposals: bool = True
) -> Tuple[Tensor, Tensor, Tensor, Dict[str, Tensor]]:
    """Sampled training pairs of one keyframe.

    Args:
        gt_boxes (Tensor): GT person boxes (K, 4).
        proposals (Tensor): Proposal boxes (N, 4).
        p1_ids (Tensor): Person 1 of each GT record, index into gt_boxes,
            (R,).
        p2_ids (Tensor): Person 2, (R,).
        records (dict[str, Tensor]): Per-record targets, each (R, C) (e.g.
            ``labels``, ``c_labels``, ``p_labels``).
        pos_iou_thr (float): Defaults to 0.7.
        num (int): Defaults to 32.
        pos_fraction (float): Defaults to 1.0.
        neg_pos_ub (float): Negative/positive ratio cap; < 0 disables it.
            Defaults to 10.
        add_gt_as_proposals (bool): Defaults to True.

    Returns:
        tuple: boxes (M, 4), p1 and p2 indices into boxes (P,) (positives
        first), and the targets of each pair (P, C) (zero for negatives).
    """
    boxes = proposals[:, :4]
    assigned = boxes.new_zeros(boxes.shape[0], dtype=torch.long)
    if gt_boxes.shape[0] and boxes.shape[0]:
        best, arg = box_iou(boxes, gt_boxes).max(1)
        assigned = torch.where(best >= pos_iou_thr, arg + 1, assigned)
    if add_gt_as_proposals and gt_boxes.shape[0]:
        boxes = torch.cat([gt_boxes, boxes])
        own = torch.arange(1, gt_boxes.shape[0] + 1, device=boxes.device)
        assigned = torch.cat([own, assigned])
    table = assigned.new_zeros(gt_boxes.shape[0] + 1, gt_boxes.shape[0] + 1)
    table[p1_ids.long() + 1, p2_ids.long() + 1] = torch.arange(
        1, p1_ids.numel() + 1, device=boxes.device)
    count = boxes.shape[0]
    first = torch.arange(count, device=boxes.device).repeat_interleave(count)
    second = torch.arange(count, device=boxes.device).repeat(count)
    record = table[assigned[first], assigned[second]]
    pos = _random_subset((record > 0).nonzero()[:, 0],
                         int(num * num * pos_fraction))
    num_neg = num * num - pos.numel()
    if neg_pos_ub >= 0:
        num_neg = min(num_neg, int(neg_pos_ub * max(1, pos.numel())))
    neg = _random_subset((record == 0).nonzero()[:, 0], num_neg)
    chosen = torch.cat([pos, neg])
    targets = {}
    for key, value in records.items():
        padded = torch.cat([value.new_zeros(1, value.shape[1]), value])
        targets[key] = padded[record[chosen]]
    return boxes, first[chosen], second[chosen], targets
