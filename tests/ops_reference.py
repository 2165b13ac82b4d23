"""Plain loop references for the ops tests, written from the definitions.

Each follows its source definition literally (scalar Python loops in
float64), independent of the vectorised and compiled implementations.
"""
import math

import pytest
import torch

from mmaction_ext.ops.backends import load_ext

# Every backend of our own; 'compiled' is skipped, saying why, when the
# extension was not built.
BACKENDS = [
    'pytorch',
    pytest.param(
        'compiled',
        marks=pytest.mark.skipif(
            load_ext() is None,
            reason='compiled ops not built (MMACTION_EXT_WITH_OPS=1 pip '
            'install -e . --no-build-isolation)'))
]


def bilinear(feature, y, x):
    """mmcv's ``bilinear_interpolate``: feature (C, H, W) at (y, x)."""
    _, height, width = feature.shape
    if y < -1.0 or y > height or x < -1.0 or x > width:
        return torch.zeros(feature.shape[0], dtype=torch.float64)
    y, x = max(y, 0.0), max(x, 0.0)
    y_low, x_low = int(y), int(x)
    if y_low >= height - 1:
        y_low = y_high = height - 1
        y = float(y_low)
    else:
        y_high = y_low + 1
    if x_low >= width - 1:
        x_low = x_high = width - 1
        x = float(x_low)
    else:
        x_high = x_low + 1
    ly, lx = y - y_low, x - x_low
    hy, hx = 1 - ly, 1 - lx
    f = feature.double()
    return (hy * hx * f[:, y_low, x_low] + hy * lx * f[:, y_low, x_high] +
            ly * hx * f[:, y_high, x_low] + ly * lx * f[:, y_high, x_high])


def roi_align_reference(input, rois, output_size, spatial_scale,
                        sampling_ratio, pool_mode, aligned):
    """RoIAlign as mmcv 2.1's ``roi_align_cpu.cpp``, one point at a time."""
    out_h, out_w = output_size
    out = torch.zeros(
        rois.shape[0], input.shape[1], out_h, out_w, dtype=torch.float64)
    offset = 0.5 if aligned else 0.0
    for r, roi in enumerate(rois.double().tolist()):
        feature = input[int(roi[0])]
        x1, y1 = roi[1] * spatial_scale - offset, roi[2] * spatial_scale - \
            offset
        x2, y2 = roi[3] * spatial_scale - offset, roi[4] * spatial_scale - \
            offset
        roi_w, roi_h = x2 - x1, y2 - y1
        if not aligned:
            roi_w, roi_h = max(roi_w, 1.0), max(roi_h, 1.0)
        bin_h, bin_w = roi_h / out_h, roi_w / out_w
        grid_h = sampling_ratio or math.ceil(roi_h / out_h)
        grid_w = sampling_ratio or math.ceil(roi_w / out_w)
        for ph in range(out_h):
            for pw in range(out_w):
                values = []
                for iy in range(grid_h):
                    y = y1 + ph * bin_h + (iy + 0.5) * bin_h / grid_h
                    for ix in range(grid_w):
                        x = x1 + pw * bin_w + (ix + 0.5) * bin_w / grid_w
                        values.append(bilinear(feature, y, x))
                if not values:
                    continue
                stacked = torch.stack(values)
                out[r, :, ph, pw] = (
                    stacked.mean(0)
                    if pool_mode == 'avg' else stacked.max(0).values)
    return out


def likelihood_maps_reference(boxes, scores, labels, frame_ids, num_frames,
                              num_classes, height, width, border):
    """Max over boxes of score x mask, pixel by pixel."""
    maps = torch.zeros(
        num_frames, num_classes, height, width, dtype=torch.float64)

    def weight(centre, low, high):
        if border == 0:
            return float(low <= centre <= high)
        return min(
            max(0.5 + min(centre - low, high - centre) / border, 0.0), 1.0)

    for box, score, label, frame in zip(boxes.double().tolist(),
                                        scores.double().tolist(),
                                        labels.tolist(), frame_ids.tolist()):
        for i in range(height):
            for j in range(width):
                value = score * weight(i + 0.5, box[1], box[3]) * weight(
                    j + 0.5, box[0], box[2])
                maps[frame, label, i, j] = max(maps[frame, label, i, j], value)
    return maps


def viou_reference(traj_1, duration_1, traj_2, duration_2):
    """``viou`` of xdshang/VidVRD-helper ``evaluation/common.py``."""
    if duration_1[0] >= duration_2[1] or duration_1[1] <= duration_2[0]:
        return 0.
    begin = max(duration_1[0], duration_2[0])
    end = min(duration_1[1], duration_2[1])
    overlap = 0.
    for frame in range(begin, end):
        r1 = traj_1[frame - duration_1[0]]
        r2 = traj_2[frame - duration_2[0]]
        iw = max(0, min(r1[2], r2[2]) - max(r1[0], r2[0]) + 1)
        ih = max(0, min(r1[3], r2[3]) - max(r1[1], r2[1]) + 1)
        overlap += iw * ih

    def volume(traj):
        return sum((b[2] - b[0] + 1) * (b[3] - b[1] + 1) for b in traj)

    return overlap / (volume(traj_1) + volume(traj_2) - overlap)
