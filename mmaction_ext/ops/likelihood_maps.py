"""Scored boxes to per-frame, per-class likelihood maps (forward only).

For frame ``f`` and class ``c`` the map is, at every pixel, the maximum
over the boxes of that frame and class of ``score x mask(box)`` (0 where no
box covers the pixel). Pixel ``(i, j)`` has its centre at ``(j + 0.5,
i + 0.5)`` in map coordinates (box coordinates times ``spatial_scale``). A
hard mask is 1 for centres inside the closed box; with ``border > 0`` each
edge is a linear ramp ``border`` pixels wide centred on the edge, so a
box's mask is ``clamp(0.5 + d / border, 0, 1)`` per axis with ``d`` the
signed distance of the centre to the nearer edge.
"""
import torch

from .backends import load_ext, resolve_backend
from .checks import (check_box_order, check_same_device, check_tensor,
                     compute_dtype, positive_pair)
from .fallback.likelihood_maps import likelihood_maps_pytorch

OP = 'boxes_to_likelihood_maps'


def _check_index(name, index, bound, bound_name):
    check_tensor(OP, name, index, dim=1, floating=False)
    if index.numel() and (index.min() < 0 or index.max() >= bound):
        bad = int(((index < 0) | (index >= bound)).nonzero()[0, 0])
        raise ValueError(f'{OP}: `{name}` must lie in [0, {bound_name}='
                         f'{bound}); entry {bad} is {int(index[bad])}')


def _check_inputs(boxes, scores, labels, frame_ids, num_frames, num_classes,
                  border):
    check_tensor(OP, 'boxes', boxes, dim=2, last=4, floating=True)
    check_tensor(OP, 'scores', scores, dim=1, floating=True)
    for name, value in (('num_frames', num_frames), ('num_classes',
                                                     num_classes)):
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f'{OP}: `{name}` must be a positive int, got '
                             f'{value!r}')
    _check_index('labels', labels, num_classes, 'num_classes')
    _check_index('frame_ids', frame_ids, num_frames, 'num_frames')
    check_same_device(
        OP, boxes=boxes, scores=scores, labels=labels, frame_ids=frame_ids)
    count = boxes.shape[0]
    for name, tensor in (('scores', scores), ('labels', labels), ('frame_ids',
                                                                  frame_ids)):
        if tensor.shape[0] != count:
            raise ValueError(f'{OP}: `{name}` must have one entry per box '
                             f'({count}), got shape {tuple(tensor.shape)}')
    check_box_order(OP, 'boxes', boxes)
    if count and (not torch.isfinite(scores).all() or scores.min() < 0
                  or scores.max() > 1):
        raise ValueError(f'{OP}: `scores` must lie in [0, 1], got range '
                         f'[{scores.min().item()}, {scores.max().item()}]')
    if not isinstance(border, (int, float)) or border < 0:
        raise ValueError(f'{OP}: `border` must be a number >= 0, got '
                         f'{border!r}')


def boxes_to_likelihood_maps(boxes,
                             scores,
                             labels,
                             frame_ids,
                             num_frames,
                             num_classes,
                             map_size,
                             spatial_scale=1.0,
                             border=0.0,
                             backend='auto'):
    """Rasterise scored, labelled boxes into likelihood maps in [0, 1].

    Args:
        boxes (Tensor): (K, 4) boxes (x1, y1, x2, y2) in image coordinates.
        scores (Tensor): (K, ) box scores in [0, 1].
        labels (Tensor): (K, ) long class of each box.
        frame_ids (Tensor): (K, ) long frame of each box.
        num_frames (int): Number of frames F.
        num_classes (int): Number of classes C.
        map_size (int | tuple[int, int]): (H, W) of the maps.
        spatial_scale (float): Map size / image size. Defaults to 1.0.
        border (float): Width in map pixels of the soft edge ramp; 0 gives
            hard masks. Defaults to 0.0.
        backend (str): 'auto', 'compiled' or 'pytorch'. Defaults to 'auto'.

    Returns:
        Tensor: (F, C, H, W) maps in ``boxes``' dtype (float32 for half).
    """
    _check_inputs(boxes, scores, labels, frame_ids, num_frames, num_classes,
                  border)
    height, width = positive_pair(OP, 'map_size', map_size)
    name, _ = resolve_backend(OP, boxes.device, backend)
    dtype = compute_dtype(boxes.dtype)
    boxes = boxes.to(dtype) * spatial_scale
    scores = scores.to(dtype)
    groups = frame_ids.long() * num_classes + labels.long()
    num_groups = num_frames * num_classes
    if name == 'pytorch':
        maps = likelihood_maps_pytorch(boxes, scores, groups, num_groups,
                                       height, width, float(border))
    else:
        order = torch.argsort(groups, stable=True)
        offsets = torch.zeros(
            num_groups + 1, dtype=torch.long, device=boxes.device)
        offsets[1:] = torch.cumsum(
            torch.bincount(groups, minlength=num_groups), 0)
        maps = load_ext().likelihood_maps_forward(boxes[order].contiguous(),
                                                  scores[order].contiguous(),
                                                  offsets, height, width,
                                                  float(border))
    return maps.view(num_frames, num_classes, height, width)
