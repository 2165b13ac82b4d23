"""``roi_align`` with mmcv's signature and semantics, and the RoIAlign module.

The backend (compiled, ``mmcv.ops``, PyTorch) is chosen per call by
:mod:`mmaction_ext.ops.backends`; all of them give the same result within
floating-point tolerance. Half-precision inputs are computed in float32 and
the output is cast back.
"""
from mmaction.registry import MODELS
from torch import nn
from torch.autograd import Function
from torch.autograd.function import once_differentiable

from .backends import load_ext, mmcv_roi_align, resolve_backend
from .checks import (check_box_order, check_same_device, check_same_dtype,
                     check_tensor, compute_dtype, positive_pair)
from .fallback.roi_align import roi_align_pytorch

POOL_MODES = ('avg', 'max')


class _CompiledRoIAlign(Function):
    """Autograd wrapper of the extension's forward and backward kernels."""

    @staticmethod
    def forward(ctx, input, rois, output_size, spatial_scale, sampling_ratio,
                pool_mode, aligned):
        ext = load_ext()
        output, argmax = ext.roi_align_forward(
            input.contiguous(), rois.contiguous(),
            output_size[0], output_size[1], float(spatial_scale),
            int(sampling_ratio), pool_mode == 'max', bool(aligned))
        ctx.save_for_backward(rois, argmax)
        ctx.params = (tuple(input.shape), output_size, spatial_scale,
                      sampling_ratio, pool_mode, aligned)
        return output

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        rois, argmax = ctx.saved_tensors
        shape, size, scale, ratio, mode, aligned = ctx.params
        grad_input = load_ext().roi_align_backward(
            grad_output.contiguous(), rois, argmax, shape[0], shape[1],
            shape[2], shape[3], float(scale), int(ratio), mode == 'max',
            bool(aligned))
        return grad_input, None, None, None, None, None, None


def check_roi_align_inputs(op, input, rois, output_size, sampling_ratio,
                           pool_mode):
    """Validate ``roi_align``'s arguments; returns output_size as a pair."""
    check_tensor(op, 'input', input, dim=4, floating=True)
    check_tensor(op, 'rois', rois, dim=2, last=5, floating=True)
    check_same_device(op, input=input, rois=rois)
    check_same_dtype(op, input=input, rois=rois)
    output_size = positive_pair(op, 'output_size', output_size)
    if not isinstance(sampling_ratio, int) or sampling_ratio < 0:
        raise ValueError(f'{op}: `sampling_ratio` must be an int >= 0, got '
                         f'{sampling_ratio!r}')
    if pool_mode not in POOL_MODES:
        raise ValueError(f'{op}: `pool_mode` must be one of {POOL_MODES}, '
                         f'got {pool_mode!r}')
    if rois.shape[0]:
        check_box_order(op, 'rois[:, 1:]', rois[:, 1:])
        batch = rois[:, 0]
        bad = (batch != batch.round()) | (batch < 0) | (
            batch >= input.shape[0])
        if bad.any():
            row = int(bad.nonzero()[0, 0])
            raise ValueError(
                f'{op}: `rois[:, 0]` holds batch indices in [0, '
                f'{input.shape[0]}) for an input of batch size '
                f'{input.shape[0]}; row {row} has {batch[row].item()}')
    return output_size


def run_roi_align(backend, input, rois, output_size, spatial_scale,
                  sampling_ratio, pool_mode, aligned):
    """Run one validated RoIAlign call on ``backend``."""
    if backend == 'compiled':
        return _CompiledRoIAlign.apply(input, rois, output_size, spatial_scale,
                                       sampling_ratio, pool_mode, aligned)
    if backend == 'mmcv':
        out = mmcv_roi_align()(input, rois, output_size, spatial_scale,
                               sampling_ratio, pool_mode, aligned)
        return _zero_empty_bins(out, rois, output_size, spatial_scale,
                                sampling_ratio, aligned)
    return roi_align_pytorch(input, rois, output_size, spatial_scale,
                             sampling_ratio, pool_mode, aligned)


def _zero_empty_bins(out, rois, output_size, spatial_scale, sampling_ratio,
                     aligned):
    """mmcv's max mode leaves -10000 / -FLT_MAX in bins without samples."""
    if sampling_ratio > 0 or not aligned or rois.shape[0] == 0:
        return out
    width = (rois[:, 3] - rois[:, 1]) * spatial_scale
    height = (rois[:, 4] - rois[:, 2]) * spatial_scale
    empty = (width <= 0) | (height <= 0)
    return out.masked_fill(empty[:, None, None, None], 0)


def roi_align(input,
              rois,
              output_size,
              spatial_scale=1.0,
              sampling_ratio=0,
              pool_mode='avg',
              aligned=True,
              backend='auto'):
    """RoIAlign (He et al., Mask R-CNN, ICCV 2017) as ``mmcv.ops.roi_align``.

    Args:
        input (Tensor): Feature maps, shape (N, C, H, W).
        rois (Tensor): RoIs (R, 5) as (batch_idx, x1, y1, x2, y2) in input
            image coordinates (multiplied by ``spatial_scale``).
        output_size (int | tuple[int, int]): (out_h, out_w).
        spatial_scale (float): Feature map size / image size. Defaults to
            1.0.
        sampling_ratio (int): Sample points per bin along each axis; 0
            adapts to the RoI size (``ceil(roi_size / output_size)``).
            Defaults to 0.
        pool_mode (str): 'avg' or 'max' over a bin's points. Defaults to
            'avg'.
        aligned (bool): Shift boxes by -0.5 pixel (Detectron2's aligned
            RoIAlign). Defaults to True.
        backend (str): 'auto', 'compiled', 'mmcv' or 'pytorch'. Defaults to
            'auto' (see :mod:`mmaction_ext.ops.backends`).

    Returns:
        Tensor: (R, C, out_h, out_w), differentiable w.r.t. ``input``.
    """
    output_size = check_roi_align_inputs('roi_align', input, rois, output_size,
                                         sampling_ratio, pool_mode)
    name, _ = resolve_backend('roi_align', input.device, backend)
    work_dtype = compute_dtype(input.dtype)
    out = run_roi_align(name, input.to(work_dtype), rois.to(work_dtype),
                        output_size, spatial_scale, sampling_ratio, pool_mode,
                        aligned)
    return out.to(input.dtype)


@MODELS.register_module()
class RoIAlign(nn.Module):
    """RoIAlign layer, a drop-in for ``mmcv.ops.RoIAlign``.

    Args:
        output_size (int | tuple[int, int]): (out_h, out_w).
        spatial_scale (float): Feature map size / image size. Defaults to
            1.0.
        sampling_ratio (int): Points per bin per axis, 0 = adaptive.
            Defaults to 0.
        pool_mode (str): 'avg' or 'max'. Defaults to 'avg'.
        aligned (bool): Pixel-aligned boxes. Defaults to True.
        use_torchvision (bool): Accepted for mmcv compatibility; must be
            False (torchvision is not used). Defaults to False.
        backend (str): Backend to force, or 'auto'. Defaults to 'auto'.

    Shapes:
        input (N, C, H, W), rois (R, 5) -> (R, C, out_h, out_w).
    """

    def __init__(self,
                 output_size,
                 spatial_scale=1.0,
                 sampling_ratio=0,
                 pool_mode='avg',
                 aligned=True,
                 use_torchvision=False,
                 backend='auto'):
        super().__init__()
        if use_torchvision:
            raise ValueError('RoIAlign: `use_torchvision=True` is not '
                             'supported; torchvision is not a dependency')
        self.output_size = positive_pair('RoIAlign', 'output_size',
                                         output_size)
        self.spatial_scale = float(spatial_scale)
        self.sampling_ratio = int(sampling_ratio)
        self.pool_mode = pool_mode
        self.aligned = aligned
        self.backend = backend

    def forward(self, input, rois):
        return roi_align(input, rois, self.output_size, self.spatial_scale,
                         self.sampling_ratio, self.pool_mode, self.aligned,
                         self.backend)

    def extra_repr(self):
        return (f'output_size={self.output_size}, spatial_scale='
                f'{self.spatial_scale}, sampling_ratio={self.sampling_ratio}'
                f', pool_mode={self.pool_mode}, aligned={self.aligned}, '
                f'backend={self.backend}')


__all__ = ['roi_align', 'RoIAlign', 'check_roi_align_inputs', 'run_roi_align']
