"""RoIAlign of a feature clip along object trajectories.

Each trajectory has one box per frame and a validity mask (frames where the
object is absent). Its valid frames become RoIs into their frame's feature
map; the per-frame features are returned as they are or pooled over the
valid frames. The RoIAlign kernels are those of :func:`roi_align`, so this
op uses the same backend.
"""
import torch

from .backends import resolve_backend
from .checks import (check_box_order, check_same_device, check_same_dtype,
                     check_tensor, compute_dtype, positive_pair)
from .roi_align import check_roi_align_inputs, run_roi_align

REDUCTIONS = ('mean', 'max', 'none')
OP = 'trajectory_roi_align'


def _check_inputs(features, boxes, valid, reduce):
    check_tensor(OP, 'features', features, dim=4, floating=True)
    check_tensor(OP, 'boxes', boxes, dim=3, last=4, floating=True)
    check_tensor(OP, 'valid', valid, dim=2, floating=False)
    check_same_device(OP, features=features, boxes=boxes, valid=valid)
    check_same_dtype(OP, features=features, boxes=boxes)
    if boxes.shape[1] != features.shape[0]:
        raise ValueError(f'{OP}: `boxes` (N, T, 4) must have one box per '
                         f'frame of `features` (T={features.shape[0]}), got '
                         f'shape {tuple(boxes.shape)}')
    if tuple(valid.shape) != tuple(boxes.shape[:2]):
        raise ValueError(f'{OP}: `valid` must have shape (N, T) = '
                         f'{tuple(boxes.shape[:2])}, got '
                         f'{tuple(valid.shape)}')
    if reduce not in REDUCTIONS:
        raise ValueError(f'{OP}: `reduce` must be one of {REDUCTIONS}, got '
                         f'{reduce!r}')
    check_box_order(OP, 'boxes', boxes, valid.bool())


def trajectory_roi_align(features,
                         boxes,
                         valid,
                         output_size,
                         spatial_scale=1.0,
                         sampling_ratio=0,
                         pool_mode='avg',
                         aligned=True,
                         reduce='mean',
                         backend='auto'):
    """RoIAlign features along trajectories and pool them over time.

    Args:
        features (Tensor): Feature clip (T, C, H, W), one map per frame.
        boxes (Tensor): Per-frame boxes (N, T, 4) as (x1, y1, x2, y2) in
            image coordinates, for N trajectories. Boxes of invalid frames
            are ignored (may hold anything, e.g. zeros or NaN).
        valid (Tensor): (N, T) bool, True where the trajectory has a box.
        output_size (int | tuple[int, int]): (out_h, out_w).
        spatial_scale (float): Feature map size / image size. Defaults to
            1.0.
        sampling_ratio (int): As :func:`roi_align`. Defaults to 0.
        pool_mode (str): Pooling inside a bin, 'avg' or 'max'. Defaults to
            'avg'.
        aligned (bool): As :func:`roi_align`. Defaults to True.
        reduce (str): Over the valid frames: 'mean', 'max' or 'none' (keep
            frames). Trajectories without a valid frame get zeros. Defaults
            to 'mean'.
        backend (str): Backend of the RoIAlign kernels, or 'auto'.

    Returns:
        Tensor: (N, C, out_h, out_w) for 'mean'/'max', (N, T, C, out_h,
        out_w) for 'none' with zeros at invalid frames; differentiable
        w.r.t. ``features``.
    """
    _check_inputs(features, boxes, valid, reduce)
    output_size = positive_pair(OP, 'output_size', output_size)
    num_traj, num_frames = valid.shape
    valid = valid.bool()
    traj_idx, frame_idx = valid.nonzero(as_tuple=True)
    work_dtype = compute_dtype(features.dtype)
    rois = torch.cat([
        frame_idx[:, None].to(work_dtype), boxes[traj_idx,
                                                 frame_idx].to(work_dtype)
    ],
                     dim=1)
    check_roi_align_inputs(OP, features, rois.to(features.dtype), output_size,
                           sampling_ratio, pool_mode)
    name, _ = resolve_backend(OP, features.device, backend)
    pooled = run_roi_align(name, features.to(work_dtype), rois, output_size,
                           spatial_scale, sampling_ratio, pool_mode, aligned)
    out_shape = (num_traj, num_frames) + tuple(pooled.shape[1:])
    if reduce == 'none':
        out = pooled.new_zeros(num_traj * num_frames, *pooled.shape[1:])
        out = out.index_copy(0, traj_idx * num_frames + frame_idx, pooled)
        return out.view(out_shape).to(features.dtype)
    index = traj_idx[:, None, None, None].expand_as(pooled)
    out = pooled.new_zeros(num_traj, *pooled.shape[1:])
    if reduce == 'mean':
        counts = valid.sum(1).clamp(min=1).to(work_dtype)
        out = out.scatter_add(0, index, pooled)
        out = out / counts[:, None, None, None]
    else:
        out = out.scatter_reduce(0, index, pooled, 'amax', include_self=False)
    return out.to(features.dtype)
