"""RoIAlign in plain PyTorch, vectorised, with autograd through PyTorch ops.

Follows mmcv's ``roi_align`` (mmcv 2.1 ``roi_align_cpu.cpp``): sample
points ``y = y1 + ph * bin_h + (iy + 0.5) * bin_h / grid_h``, bilinear
weights with mmcv's border rule (a point more than one pixel outside the map
contributes 0, coordinates are clamped at 0 and at ``size - 1``).

Average pooling is separable: bilinear weights factor into a y part and an x
part and the sample grid is a product of y and x coordinates, so one RoI's
output is ``Ay @ feature @ Ax^T`` with ``Ay`` (out_h, H) and ``Ax``
(out_w, W) the averaged interpolation weights. That turns RoIAlign into two
matrix products per image (no per-RoI Python loop). Max pooling samples
every point explicitly.
"""
import torch


def _axis_samples(start, length, bins, grid, max_grid):
    """Sample coordinates along one axis: (R, bins, max_grid) and a mask."""
    bin_size = length / bins
    steps = torch.arange(max_grid, device=start.device, dtype=start.dtype)
    cells = torch.arange(bins, device=start.device, dtype=start.dtype)
    grid_f = grid.clamp(min=1).to(start.dtype)
    coords = (
        start[:, None, None] + cells[None, :, None] * bin_size[:, None, None] +
        (steps[None, None, :] + 0.5) * (bin_size / grid_f)[:, None, None])
    used = steps[None, None, :] < grid[:, None, None]
    return coords, used.expand_as(coords)


def _bilinear_taps(coords, size):
    """mmcv's 1-D bilinear rule: (low, high) indices and weights."""
    inside = (coords >= -1.0) & (coords <= size)
    coords = coords.clamp(min=0)
    low = coords.floor().long()
    at_end = low >= size - 1
    low = torch.where(at_end, torch.full_like(low, size - 1), low)
    high = torch.where(at_end, low, low + 1)
    coords = torch.where(at_end, low.to(coords.dtype), coords)
    frac = coords - low.to(coords.dtype)
    inside = inside.to(coords.dtype)
    return low, high, (1 - frac) * inside, frac * inside


def roi_geometry(rois, output_size, spatial_scale, sampling_ratio, aligned):
    """Per-RoI start, size and sampling grid along y and x (mmcv's rules)."""
    offset = 0.5 if aligned else 0.0
    x1 = rois[:, 1] * spatial_scale - offset
    y1 = rois[:, 2] * spatial_scale - offset
    width = rois[:, 3] * spatial_scale - offset - x1
    height = rois[:, 4] * spatial_scale - offset - y1
    if not aligned:
        width, height = width.clamp(min=1.0), height.clamp(min=1.0)
    out_h, out_w = output_size
    if sampling_ratio > 0:
        grid_h = torch.full_like(height, sampling_ratio, dtype=torch.long)
        grid_w = grid_h
    else:
        grid_h = torch.ceil(height / out_h).long()
        grid_w = torch.ceil(width / out_w).long()
    return (y1, height, grid_h), (x1, width, grid_w)


def _interp_matrix(axis, bins, size, average=True):
    """Averaged interpolation weights (R, bins, size) along one axis."""
    start, length, grid = axis
    max_grid = max(int(grid.max()) if grid.numel() else 1, 1)
    coords, used = _axis_samples(start, length, bins, grid, max_grid)
    low, high, w_low, w_high = _bilinear_taps(coords, size)
    scale = used.to(coords.dtype) / grid.clamp(min=1).to(coords.dtype)[:, None,
                                                                       None]
    index = torch.cat([low, high], dim=2)
    weight = torch.cat([w_low * scale, w_high * scale], dim=2)
    matrix = coords.new_zeros(coords.shape[0], bins, size)
    return matrix.scatter_add_(2, index, weight)


def _avg_one_image(feature, ay, ax):
    """feature (C, H, W), ay (R, PH, H), ax (R, PW, W) -> (R, C, PH, PW)."""
    channels, height, width = feature.shape
    rois, out_h, _ = ay.shape
    rows = ay.reshape(rois * out_h, height) @ feature.transpose(0, 1).reshape(
        height, channels * width)
    out = rows.view(rois, out_h * channels, width) @ ax.transpose(1, 2)
    return out.view(rois, out_h, channels, -1).transpose(1, 2)


def _max_one_image(feature, y_axis, x_axis, output_size):
    """Max pooling over explicit samples: (C, H, W) -> (R, C, PH, PW)."""
    channels, height, width = feature.shape
    out_h, out_w = output_size
    g_h = max(int(y_axis[2].max()), 1)
    g_w = max(int(x_axis[2].max()), 1)
    ys, used_y = _axis_samples(y_axis[0], y_axis[1], out_h, y_axis[2], g_h)
    xs, used_x = _axis_samples(x_axis[0], x_axis[1], out_w, x_axis[2], g_w)
    y_taps = _bilinear_taps(ys, height)
    x_taps = _bilinear_taps(xs, width)
    flat = feature.reshape(channels, height * width)
    values = 0
    for yi, wy in ((y_taps[0], y_taps[2]), (y_taps[1], y_taps[3])):
        for xi, wx in ((x_taps[0], x_taps[2]), (x_taps[1], x_taps[3])):
            # (R, PH, gh, 1, 1) x (R, 1, 1, PW, gw) sample grid
            index = (yi[:, :, :, None, None] * width + xi[:, None, None])
            weight = wy[:, :, :, None, None] * wx[:, None, None]
            values = values + flat[:, index] * weight
    used = used_y[:, :, :, None, None] & used_x[:, None, None]
    values = values.masked_fill(~used, float('-inf'))
    rois = values.shape[1]
    values = values.permute(1, 0, 2, 4, 3, 5).reshape(rois, channels, out_h,
                                                      out_w, g_h * g_w)
    out = values.max(dim=-1).values
    return torch.where(torch.isinf(out), torch.zeros_like(out), out)


def roi_align_pytorch(input, rois, output_size, spatial_scale, sampling_ratio,
                      pool_mode, aligned):
    """RoIAlign of ``input`` (N, C, H, W) in ``rois`` (R, 5).

    Inputs are already validated; ``output_size`` is a pair. Returns
    (R, C, out_h, out_w) in ``input``'s dtype.
    """
    _, channels, height, width = input.shape
    out_h, out_w = output_size
    out = input.new_zeros(rois.shape[0], channels, out_h, out_w)
    if rois.shape[0] == 0:
        return out + 0 * input.sum()  # keeps the graph for backward
    with torch.no_grad():
        geo_rois = rois.detach().to(input.dtype)
        y_axis, x_axis = roi_geometry(geo_rois, output_size, spatial_scale,
                                      sampling_ratio, aligned)
        batch = rois[:, 0].long()
        if pool_mode == 'avg':
            ay = _interp_matrix(y_axis, out_h, height)
            ax = _interp_matrix(x_axis, out_w, width)
    pieces, order = [], []
    for image in torch.unique(batch).tolist():
        members = (batch == image).nonzero()[:, 0]
        if pool_mode == 'avg':
            pieces.append(
                _avg_one_image(input[image], ay[members], ax[members]))
        else:
            select = [
                tuple(t[members] for t in axis) for axis in (y_axis, x_axis)
            ]
            pieces.append(
                _max_one_image(input[image], select[0], select[1],
                               output_size))
        order.append(members)
    order = torch.cat(order)
    return out.index_copy(0, order, torch.cat(pieces).to(out.dtype))
