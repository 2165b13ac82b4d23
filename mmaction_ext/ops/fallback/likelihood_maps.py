"""Box-to-likelihood-map rasteriser in plain PyTorch (chunked, vectorised).

A box's mask is separable, ``mask(y, x) = my(y) * mx(x)``, so each box
costs one outer product; boxes are processed in chunks and reduced into
their (frame, class) map with ``scatter_reduce_(..., 'amax')``.
"""
import torch

# Elements of one chunk of box masks (boxes x H x W): bounds peak memory.
CHUNK_ELEMENTS = 1 << 23


def axis_mask(low, high, size, border):
    """Per-box weights (K, size) of pixel centres ``i + 0.5`` in [low, high].

    ``border`` 0 is a hard step; otherwise a linear ramp of ``border``
    pixels centred on each edge.
    """
    centres = torch.arange(size, device=low.device, dtype=low.dtype) + 0.5
    if border == 0:
        inside = (centres[None] >= low[:, None]) & (
            centres[None] <= high[:, None])
        return inside.to(low.dtype)
    distance = torch.minimum(centres[None] - low[:, None],
                             high[:, None] - centres[None])
    return (0.5 + distance / border).clamp(0, 1)


def likelihood_maps_pytorch(boxes, scores, groups, num_groups, height, width,
                            border):
    """(num_groups, height, width) maps: max over boxes of score x mask.

    Args:
        boxes (Tensor): (K, 4) boxes in map pixels, validated.
        scores (Tensor): (K, ) in [0, 1].
        groups (Tensor): (K, ) long, the map each box is drawn into.
    """
    out = boxes.new_zeros(num_groups, height, width)
    chunk = max(CHUNK_ELEMENTS // max(height * width, 1), 1)
    for start in range(0, boxes.shape[0], chunk):
        part = slice(start, start + chunk)
        mx = axis_mask(boxes[part, 0], boxes[part, 2], width, border)
        my = axis_mask(boxes[part, 1], boxes[part, 3], height, border)
        values = (scores[part, None, None] * my[:, :, None]) * mx[:, None, :]
        index = groups[part, None, None].expand_as(values)
        out.scatter_reduce_(0, index, values, 'amax', include_self=True)
    return out
