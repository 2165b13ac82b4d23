"""Box-to-likelihood-map rasteriser in plain PyTorch (chunked, vectorised).

A box's mask is separable, ``mask(y, x) = my(y) * mx(x)``, so each box
costs one outer product over the pixels it can reach (its box plus the soft
border), not over the whole map. Boxes are sorted by that crop's area and
processed in chunks padded to the chunk's largest crop; each chunk is
reduced into the maps with ``scatter_reduce_(..., 'amax')``.
"""
import torch

# Elements of one chunk of padded crops (boxes x crop_h x crop_w): bounds
# peak memory.
CHUNK_ELEMENTS = 1 << 22


def axis_weight(centres, low, high, border):
    """Weights of pixel centres against [low, high]: (K, n) from (K, n).

    ``border`` 0 is a hard step; otherwise a linear ramp of ``border``
    pixels centred on each edge.
    """
    low, high = low[:, None], high[:, None]
    if border == 0:
        return ((centres >= low) & (centres <= high)).to(low.dtype)
    distance = torch.minimum(centres - low, high - centres)
    return (0.5 + distance / border).clamp(0, 1)


def pixel_range(low, high, border, size):
    """First and last pixel a box side can reach, clipped to the map."""
    first = torch.floor(low - border / 2 - 1.5).clamp(0, size - 1).long()
    last = torch.ceil(high + border / 2 + 0.5).clamp(0, size - 1).long()
    return first, last


def _chunks(areas, budget):
    """Slices of boxes sorted by area, each within ``budget`` elements."""
    start, count = 0, len(areas)
    while start < count:
        size = max(budget // max(int(areas[start]), 1), 1)
        while size > 1 and size * int(areas[min(start + size, count) - 1]) \
                > budget:
            size //= 2
        yield slice(start, start + size)
        start += size


def likelihood_maps_pytorch(boxes, scores, groups, num_groups, height, width,
                            border):
    """(num_groups, height, width) maps: max over boxes of score x mask.

    Args:
        boxes (Tensor): (K, 4) boxes in map pixels, validated.
        scores (Tensor): (K, ) in [0, 1].
        groups (Tensor): (K, ) long, the map each box is drawn into.
    """
    out = boxes.new_zeros(num_groups * height * width)
    x0, x1 = pixel_range(boxes[:, 0], boxes[:, 2], border, width)
    y0, y1 = pixel_range(boxes[:, 1], boxes[:, 3], border, height)
    widths, heights = x1 - x0 + 1, y1 - y0 + 1
    areas, order = torch.sort(widths * heights)
    for part in _chunks(areas.tolist(), CHUNK_ELEMENTS):
        pick = order[part]
        xs = x0[pick, None] + torch.arange(
            int(widths[pick].max()), device=boxes.device)
        ys = y0[pick, None] + torch.arange(
            int(heights[pick].max()), device=boxes.device)
        mx = axis_weight(
            xs.to(boxes.dtype) + 0.5, boxes[pick, 0], boxes[pick, 2], border)
        my = axis_weight(
            ys.to(boxes.dtype) + 0.5, boxes[pick, 1], boxes[pick, 3], border)
        # padding past a crop's end gets weight 0 and a clamped index
        mx = mx * (xs <= x1[pick, None])
        my = my * (ys <= y1[pick, None])
        values = (scores[pick, None, None] * my[:, :, None]) * mx[:, None, :]
        index = (groups[pick, None, None] * height +
                 ys.clamp(max=height - 1)[:, :, None]) * width + xs.clamp(
                     max=width - 1)[:, None, :]
        out.scatter_reduce_(0, index.flatten(), values.flatten(), 'amax')
    return out.view(num_groups, height, width)
