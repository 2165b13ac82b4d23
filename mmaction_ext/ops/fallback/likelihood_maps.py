"""Box-to-likelihood-map rasteriser in plain PyTorch (chunked, vectorised).

A box's mask is separable, ``mask(y, x) = my(y) * mx(x)``, so each box
costs one outer product over the pixels it can reach (its box plus the soft
border), not over the whole map. Boxes of similar crop size are processed
together, padded to the largest crop of the chunk, and reduced into the
maps with ``scatter_reduce_(..., 'amax')``.
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


def _size_buckets(heights, widths, budget):
    """Chunks of box indices with similar crop sizes and their padded size.

    Boxes are bucketed by the powers of two that bound their crop height and
    width (padding wastes at most 3/4 of a crop), then split to ``budget``
    elements. Yields (indices, padded_height, padded_width).
    """
    log_h = torch.ceil(torch.log2(heights.double())).long()
    log_w = torch.ceil(torch.log2(widths.double())).long()
    keys, order = torch.sort(log_h * 64 + log_w)
    buckets, counts = torch.unique_consecutive(keys, return_counts=True)
    start = 0
    for key, count in zip(buckets.tolist(), counts.tolist()):
        members = order[start:start + count]
        start += count
        crop_h = int(heights[members].max())
        crop_w = int(widths[members].max())
        step = max(budget // (crop_h * crop_w), 1)
        for first in range(0, count, step):
            yield members[first:first + step], crop_h, crop_w


def likelihood_maps_pytorch(boxes, scores, groups, num_groups, height, width,
                            border):
    """(num_groups, height, width) maps: max over boxes of score x mask.

    Args:
        boxes (Tensor): (K, 4) boxes in map pixels, validated.
        scores (Tensor): (K, ) in [0, 1].
        groups (Tensor): (K, ) long, the map each box is drawn into.
    """
    # One spare map: padded crop positions past a map's last row or column
    # wrap into the next map (or the spare) with value 0, harmless for amax.
    out = boxes.new_zeros((num_groups + 1) * height * width)
    x0, x1 = pixel_range(boxes[:, 0], boxes[:, 2], border, width)
    y0, y1 = pixel_range(boxes[:, 1], boxes[:, 3], border, height)
    widths, heights = x1 - x0 + 1, y1 - y0 + 1
    corner = (groups * height + y0) * width + x0
    for pick, crop_h, crop_w in _size_buckets(heights, widths, CHUNK_ELEMENTS):
        rows = torch.arange(crop_h, device=boxes.device)
        cols = torch.arange(crop_w, device=boxes.device)
        xs, ys = x0[pick, None] + cols, y0[pick, None] + rows
        centres_x = xs.to(boxes.dtype) + 0.5
        centres_y = ys.to(boxes.dtype) + 0.5
        mx = axis_weight(centres_x, boxes[pick, 0], boxes[pick, 2], border)
        my = axis_weight(centres_y, boxes[pick, 1], boxes[pick, 3], border)
        mx = mx * (xs <= x1[pick, None])
        my = my * (ys <= y1[pick, None])
        values = (scores[pick, None, None] * my[:, :, None]) * mx[:, None, :]
        offsets = rows[:, None] * width + cols
        index = corner[pick, None, None] + offsets
        out.scatter_reduce_(0, index.flatten(), values.flatten(), 'amax')
    return out[:num_groups * height * width].view(num_groups, height, width)
