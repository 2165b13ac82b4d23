"""Pairwise volumetric IoU of trajectories, the VidVRD definition.

For trajectories with spans ``[begin, end)`` (end exclusive) and one
inclusive pixel box per frame of the span (Shang et al., "Video Visual
Relation Detection", ACM MM 2017; ``evaluation/common.py::viou`` of
xdshang/VidVRD-helper):

* vIoU is 0 when the spans do not intersect;
* otherwise ``overlap = sum over common frames of max(0, r - l + 1) *
  max(0, b - t + 1)``, ``V = sum over the full span of (w + 1)(h + 1)``
  per trajectory, and ``vIoU = overlap / (V1 + V2 - overlap)``.

The temporal IoU of the spans (frame counts) comes with it. Every backend
accumulates in float64.
"""
import torch

from .backends import load_ext, resolve_backend
from .checks import check_box_order, check_same_device, check_tensor
from .fallback.trajectory_viou import temporal_iou, trajectory_viou_pytorch

OP = 'trajectory_viou'


def _check_set(suffix, boxes, spans):
    boxes_name, spans_name = f'boxes{suffix}', f'spans{suffix}'
    check_tensor(OP, boxes_name, boxes, dim=3, last=4, floating=True)
    check_tensor(OP, spans_name, spans, dim=2, last=2, floating=False)
    check_same_device(OP, **{boxes_name: boxes, spans_name: spans})
    if spans.shape[0] != boxes.shape[0]:
        raise ValueError(f'{OP}: `{spans_name}` must have one row per '
                         f'trajectory of `{boxes_name}` ({boxes.shape[0]}), '
                         f'got shape {tuple(spans.shape)}')
    if spans.numel():
        length = spans[:, 1] - spans[:, 0]
        bad = (spans[:, 0] < 0) | (length < 0) | (length > boxes.shape[1])
        if bad.any():
            row = int(bad.nonzero()[0, 0])
            raise ValueError(
                f'{OP}: `{spans_name}` rows are [begin, end) with 0 <= '
                f'begin <= end and end - begin <= {boxes.shape[1]} (the '
                f'boxes per trajectory in `{boxes_name}`); row {row} is '
                f'{spans[row].tolist()}')
        steps = torch.arange(boxes.shape[1], device=boxes.device)
        check_box_order(OP, boxes_name, boxes, steps[None] < length[:, None])


def trajectory_viou(boxes1, spans1, boxes2=None, spans2=None, backend='auto'):
    """vIoU and temporal IoU between every pair of two trajectory sets.

    Args:
        boxes1 (Tensor): (N1, L1, 4) boxes (x1, y1, x2, y2), inclusive pixel
            coordinates; box ``k`` belongs to frame ``spans1[n, 0] + k``.
            Entries past a trajectory's length are ignored.
        spans1 (Tensor): (N1, 2) integer [begin, end) frame spans.
        boxes2 (Tensor, optional): (N2, L2, 4); defaults to ``boxes1``.
        spans2 (Tensor, optional): (N2, 2); defaults to ``spans1``.
        backend (str): 'auto', 'compiled' or 'pytorch'. Defaults to 'auto'.

    Returns:
        tuple[Tensor, Tensor]: vIoU and temporal IoU, each (N1, N2), float64
        for float64 boxes, else float32.
    """
    if (boxes2 is None) != (spans2 is None):
        raise ValueError(f'{OP}: give both `boxes2` and `spans2` or neither')
    if boxes2 is None:
        boxes2, spans2 = boxes1, spans1
    _check_set('1', boxes1, spans1)
    _check_set('2', boxes2, spans2)
    check_same_device(OP, boxes1=boxes1, boxes2=boxes2)
    name, _ = resolve_backend(OP, boxes1.device, backend)
    out_dtype = torch.float64 if boxes1.dtype == torch.float64 else \
        torch.float32
    args = (boxes1.double().contiguous(), spans1.long().contiguous(),
            boxes2.double().contiguous(), spans2.long().contiguous())
    if name == 'pytorch':
        viou = trajectory_viou_pytorch(*args)
    else:
        viou = load_ext().trajectory_viou_forward(*args)
    tiou = temporal_iou(args[1], args[3])
    return viou.to(out_dtype), tiou.to(out_dtype)
