"""Compiled ops against their pure-PyTorch fallback, side by side.

At the sizes the video methods use:

* RoIAlign: 200 RoIs on 8 maps of 768 channels x 14 x 14 (CLIP ViT-B/16 at
  224 x 224), 7 x 7 output, sampling ratio 2; forward, and forward +
  backward;
* trajectory RoIAlign: 50 trajectories x 32 frames (about 80 % of frames
  valid) on the same maps, mean over time; forward, and forward + backward;
* rasteriser: 16 frames x 20 classes x 100 boxes (32,000 scored boxes) to
  256 x 256 maps, hard and soft (4-pixel) borders;
* vIoU: 1,000 x 1,000 trajectories, spans of 30-300 frames in a 300-frame
  video.

Each case runs every available backend in the same process, taking turns
(median of ``--repeats`` after one warm-up), and checks they agree. Not a
test: run it by hand, after building the ops (``MMACTION_EXT_WITH_OPS=1 pip
install -e . --no-build-isolation``):

    python benchmarks/ops.py [--repeats 5] [--device cpu] [--threads N]
                             [--only roi_align trajectory_viou ...]
"""
import argparse
import os
import os.path as osp
import platform
import statistics
import sys
import time

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmaction_ext.ops import (boxes_to_likelihood_maps, roi_align,  # noqa
                              trajectory_roi_align, trajectory_viou)
from mmaction_ext.ops.backends import BACKENDS, _why_not, ext_status  # noqa

TARGETS = dict(roi_align=5, trajectory_roi_align=5,
               boxes_to_likelihood_maps=3, trajectory_viou=5)


def random_boxes(gen, shape, size, min_side=8.0):
    xy = torch.rand(*shape, 2, generator=gen) * (size - min_side)
    wh = min_side + torch.rand(*shape, 2, generator=gen) * (size - xy -
                                                            min_side)
    return torch.cat([xy, xy + wh], -1)


def roi_align_case(gen, device, backward):
    feat = torch.randn(8, 768, 14, 14, generator=gen).to(device)
    rois = torch.cat([
        torch.randint(0, 8, (200, 1), generator=gen).float(),
        random_boxes(gen, (200, ), 224.0)
    ], 1).to(device)
    feat.requires_grad_(backward)

    def run(backend):
        out = roi_align(feat, rois, 7, 1 / 16, 2, backend=backend)
        if backward:
            out.backward(torch.ones_like(out))
            grad, feat.grad = feat.grad, None
            return grad
        return out

    return run


def trajectory_case(gen, device, backward):
    feats = torch.randn(32, 768, 14, 14, generator=gen).to(device)
    boxes = random_boxes(gen, (50, 32), 224.0).to(device)
    valid = (torch.rand(50, 32, generator=gen) < 0.8).to(device)
    feats.requires_grad_(backward)

    def run(backend):
        out = trajectory_roi_align(feats, boxes, valid, 7, 1 / 16, 2,
                                   backend=backend)
        if backward:
            out.backward(torch.ones_like(out))
            grad, feats.grad = feats.grad, None
            return grad
        return out

    return run


def rasteriser_case(gen, device, border):
    frames, classes, per_class = 16, 20, 100
    count = frames * classes * per_class
    boxes = random_boxes(gen, (count, ), 256.0).to(device)
    scores = torch.rand(count, generator=gen).to(device)
    labels = torch.arange(classes).repeat_interleave(per_class).repeat(
        frames).to(device)
    frame_ids = torch.arange(frames).repeat_interleave(classes *
                                                       per_class).to(device)

    def run(backend):
        return boxes_to_likelihood_maps(boxes, scores, labels, frame_ids,
                                        frames, classes, 256, border=border,
                                        backend=backend)

    return run


def viou_case(gen, device):
    count, frames = 1000, 300
    lengths = torch.randint(30, frames + 1, (count, ), generator=gen)
    starts = (torch.rand(count, generator=gen) *
              (frames - lengths + 1)).long()
    spans = torch.stack([starts, starts + lengths], 1)
    boxes = random_boxes(gen, (count, frames), 640.0).round()
    boxes, spans = boxes.to(device), spans.to(device)
    other = torch.randperm(count, generator=gen).to(device)

    def run(backend):
        return trajectory_viou(boxes, spans, boxes[other], spans[other],
                               backend=backend)[0]

    return run


def time_backends(run, backends, device, repeats):
    """Median ms per backend; the backends take turns, so a change in the
    machine's load hits them alike. Returns (times, results)."""
    def once(backend):
        if device == 'cuda':
            torch.cuda.synchronize()
        start = time.perf_counter()
        result = run(backend)
        if device == 'cuda':
            torch.cuda.synchronize()
        return time.perf_counter() - start, result

    results = {backend: once(backend)[1] for backend in backends}
    samples = {backend: [] for backend in backends}
    for _ in range(repeats):
        for backend in backends:
            samples[backend].append(once(backend)[0])
    times = {b: statistics.median(s) * 1e3 for b, s in samples.items()}
    return times, results


def cases(gen, device, only):
    table = [
        ('roi_align', 'RoIAlign forward', roi_align_case(gen, device,
                                                         False)),
        ('roi_align', 'RoIAlign forward+backward',
         roi_align_case(gen, device, True)),
        ('trajectory_roi_align', 'trajectory RoIAlign forward',
         trajectory_case(gen, device, False)),
        ('trajectory_roi_align', 'trajectory RoIAlign forward+backward',
         trajectory_case(gen, device, True)),
        ('boxes_to_likelihood_maps', 'rasteriser, hard border',
         rasteriser_case(gen, device, 0.0)),
        ('boxes_to_likelihood_maps', 'rasteriser, 4 px soft border',
         rasteriser_case(gen, device, 4.0)),
        ('trajectory_viou', 'vIoU 1,000 x 1,000 trajectories',
         viou_case(gen, device)),
    ]
    return [case for case in table if only is None or case[0] in only]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--only', nargs='*', help='op names to run')
    parser.add_argument('--threads', type=int, help='torch.set_num_threads')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next(line.split(':', 1)[1].strip() for line in f
                       if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    if args.device == 'cuda':
        cpu += ', ' + torch.cuda.get_device_name()
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, '
          f'{os.cpu_count()} cores, {cpu}, load average '
          f'{os.getloadavg()[0]:.1f}')
    print(f'compiled extension: {ext_status()}\n')
    header = f'{"case":48s} {"backend":9s} {"ms":>9s} {"vs pytorch":>11s}'
    print(header + '\n' + '-' * len(header))
    gen = torch.Generator().manual_seed(0)
    for op, name, run in cases(gen, args.device, args.only):
        names = [b for b in BACKENDS if _why_not(op, b, args.device) is None]
        times, results = time_backends(run, names, args.device, args.repeats)
        for backend, ms in times.items():
            ratio = times['pytorch'] / ms
            note = (f'  (target >= {TARGETS[op]}x)'
                    if backend == 'compiled' else '')
            print(f'{name:48s} {backend:9s} {ms:9.1f} {ratio:10.1f}x{note}')
            torch.testing.assert_close(results[backend].float(),
                                       results['pytorch'].float(),
                                       atol=1e-3, rtol=1e-3)
        print()


if __name__ == '__main__':
    main()
