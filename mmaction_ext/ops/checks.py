"""Input checks shared by the ops: a clear ``ValueError`` naming the argument.

Every backend gets inputs that passed these checks, so a bad box never
reaches a kernel (where it would read out of bounds or return garbage).
"""
import torch

FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def check_tensor(op, name, tensor, dim=None, last=None, floating=None):
    """Check type, rank and last dimension of one argument.

    Args:
        op (str): Name of the op, for the message.
        name (str): Name of the argument, for the message.
        tensor: The value to check.
        dim (int, optional): Required number of dimensions.
        last (int, optional): Required size of the last dimension.
        floating (bool, optional): Require a floating (True) or an integer
            or bool (False) dtype.
    """
    if not isinstance(tensor, torch.Tensor):
        raise ValueError(f'{op}: `{name}` must be a torch.Tensor, got '
                         f'{type(tensor).__name__}')
    if dim is not None and tensor.dim() != dim:
        raise ValueError(f'{op}: `{name}` must have {dim} dimensions, got '
                         f'shape {tuple(tensor.shape)}')
    if last is not None and tensor.shape[-1] != last:
        raise ValueError(f'{op}: `{name}` must have last dimension {last}, '
                         f'got shape {tuple(tensor.shape)}')
    if floating is True and tensor.dtype not in FLOAT_DTYPES:
        raise ValueError(f'{op}: `{name}` must be floating point, got '
                         f'{tensor.dtype}')
    if floating is False and tensor.is_floating_point():
        raise ValueError(f'{op}: `{name}` must be an integer or bool '
                         f'tensor, got {tensor.dtype}')


def check_same_device(op, **tensors):
    """All tensors on one device; returns that device."""
    devices = {name: t.device for name, t in tensors.items()}
    if len(set(devices.values())) > 1:
        found = ', '.join(f'`{n}` on {d}' for n, d in devices.items())
        raise ValueError(f'{op}: all tensors must be on one device, got '
                         f'{found}')
    return next(iter(devices.values()))


def check_same_dtype(op, **tensors):
    """All tensors of one dtype; returns that dtype."""
    dtypes = {name: t.dtype for name, t in tensors.items()}
    if len(set(dtypes.values())) > 1:
        found = ', '.join(f'`{n}` is {d}' for n, d in dtypes.items())
        raise ValueError(f'{op}: tensors must share one dtype, got {found}')
    return next(iter(dtypes.values()))


def check_finite(op, name, tensor):
    if tensor.numel() and not torch.isfinite(tensor).all():
        raise ValueError(f'{op}: `{name}` contains NaN or infinite values')


def check_box_order(op, name, boxes, mask=None):
    """Boxes ``(..., 4)`` as (x1, y1, x2, y2) need x2 >= x1 and y2 >= y1.

    Args:
        mask (Tensor, optional): Only boxes where ``mask`` is true count
            (e.g. frames outside a trajectory's span).
    """
    check_finite(op, name, boxes if mask is None else boxes[mask])
    bad = (boxes[..., 2] < boxes[..., 0]) | (boxes[..., 3] < boxes[..., 1])
    if mask is not None:
        bad = bad & mask
    if bad.any():
        index = tuple(int(i) for i in bad.nonzero()[0])
        raise ValueError(f'{op}: `{name}` must have x2 >= x1 and y2 >= y1; '
                         f'box at index {index} is '
                         f'{boxes[index].tolist()}')


def positive_pair(op, name, value):
    """``int`` or pair of ints, each > 0, as a tuple (h, w)."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0
            for v in pair):
        raise ValueError(f'{op}: `{name}` must be a positive int or a pair '
                         f'of positive ints, got {value!r}')
    return pair


def compute_dtype(dtype):
    """Half precision inputs are computed in float32 on every backend."""
    return torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype
