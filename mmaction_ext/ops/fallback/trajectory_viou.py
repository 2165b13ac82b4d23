"""Pairwise trajectory vIoU in plain PyTorch (chunked, vectorised, float64).

Trajectories are laid on a common frame axis; frames outside a span hold
the empty box (0, 0, -2, -2). Its intersection with any box has
``min(x2) - max(x1) + 1 <= -2 - 0 + 1 < 0``, clamped to 0, so the pairwise
loop needs no mask.
"""
import torch

# Elements of one (rows x N2 x frames) block: bounds peak memory.
CHUNK_ELEMENTS = 1 << 22
EMPTY_BOX = (0.0, 0.0, -2.0, -2.0)


def dense_trajectories(boxes, spans, num_frames):
    """(N, L, 4) boxes from their span starts -> (N, num_frames, 4)."""
    count, length = boxes.shape[:2]
    dense = boxes.new_tensor(EMPTY_BOX).repeat(count, num_frames, 1)
    steps = torch.arange(length, device=boxes.device)
    inside = steps[None] < (spans[:, 1] - spans[:, 0])[:, None]
    rows, cols = inside.nonzero(as_tuple=True)
    dense[rows, spans[rows, 0] + cols] = boxes[rows, cols]
    return dense


def volumes(boxes, spans):
    """Sum of (w + 1)(h + 1) over each span: (N, )."""
    steps = torch.arange(boxes.shape[1], device=boxes.device)
    inside = steps[None] < (spans[:, 1] - spans[:, 0])[:, None]
    area = ((boxes[..., 2] - boxes[..., 0] + 1) *
            (boxes[..., 3] - boxes[..., 1] + 1))
    return (area * inside).sum(1)


def temporal_iou(spans1, spans2):
    """Frame-count IoU of [begin, end) spans: (N1, N2) float64."""
    begin = torch.maximum(spans1[:, None, 0], spans2[None, :, 0])
    end = torch.minimum(spans1[:, None, 1], spans2[None, :, 1])
    inter = (end - begin).clamp(min=0)
    union = ((spans1[:, 1] - spans1[:, 0])[:, None] +
             (spans2[:, 1] - spans2[:, 0])[None] - inter)
    return (inter / union.clamp(min=1)).double()


def trajectory_viou_pytorch(boxes1, spans1, boxes2, spans2):
    """vIoU (N1, N2) float64 of validated trajectories (boxes float64)."""
    viou = boxes1.new_zeros(spans1.shape[0], spans2.shape[0])
    if viou.numel() == 0:
        return viou
    num_frames = int(torch.cat([spans1[:, 1], spans2[:, 1]]).max())
    if num_frames == 0:
        return viou
    dense1 = dense_trajectories(boxes1, spans1, num_frames)
    dense2 = dense_trajectories(boxes2, spans2, num_frames)
    total = volumes(boxes1, spans1)[:, None] + volumes(boxes2, spans2)[None]
    rows = max(CHUNK_ELEMENTS // (spans2.shape[0] * num_frames), 1)
    for start in range(0, spans1.shape[0], rows):
        block = slice(start, start + rows)
        first = int(spans1[block, 0].min())
        last = int(spans1[block, 1].max())
        if last <= first:
            continue
        a = dense1[block, None, first:last]
        b = dense2[None, :, first:last]
        width = torch.minimum(a[..., 2], b[..., 2])
        width.sub_(torch.maximum(a[..., 0], b[..., 0])).add_(1).clamp_(min=0)
        height = torch.minimum(a[..., 3], b[..., 3])
        height.sub_(torch.maximum(a[..., 1], b[..., 1])).add_(1).clamp_(min=0)
        overlap = width.mul_(height).sum(-1)
        viou[block] = overlap / (total[block] - overlap)
    meet = temporal_iou(spans1, spans2) > 0
    return torch.where(meet, viou, torch.zeros_like(viou))
