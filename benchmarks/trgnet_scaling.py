"""Time and memory of TRG-Net's temporal attention versus softmax attention.

For sequence lengths T = 1k, 2k, 4k, 8k frames (64 channels, 4 heads, one
sequence, as TRG-Net's temporal layers), one forward + backward pass of
:class:`LinearAttention` (sigmoid feature map) and of standard softmax
attention with the same projections (torch's scaled_dot_product_attention),
each (kind, T) in its own process so peak memory is its own (max RSS growth
on CPU, max allocated on CUDA). Prints ratios to T = 1k side by side: linear
attention should grow about linearly (8k / 1k <= ~10x), softmax about
quadratically. Not a test: run by hand,

    python benchmarks/trgnet_scaling.py [--lengths 1000 2000 4000 8000]
"""
import argparse
import json
import os.path as osp
import resource
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)


class SoftmaxAttention(nn.Module):
    """Multi-head softmax attention with the same layout as LinearAttention."""

    def __init__(self, embed_dims=64, num_heads=4):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(embed_dims, embed_dims)
        self.k_proj = nn.Linear(embed_dims, embed_dims)
        self.v_proj = nn.Linear(embed_dims, embed_dims)
        self.out_proj = nn.Linear(embed_dims, embed_dims)

    def forward(self, query, key, value):

        def heads(x):
            return x.view(x.shape[0], x.shape[1], self.num_heads,
                          -1).transpose(1, 2)

        out = F.scaled_dot_product_attention(
            heads(self.q_proj(query)), heads(self.k_proj(key)),
            heads(self.v_proj(value)))
        return self.out_proj(out.transpose(1, 2).flatten(2))


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind, length, repeats):
    from mmaction_ext.models.utils import LinearAttention
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.manual_seed(0)
    layer = (LinearAttention(64, 4, dropout=0.)
             if kind == 'linear' else SoftmaxAttention(64, 4)).to(device)
    x = torch.randn(1, length, 64, device=device, requires_grad=True)
    base = rss_mb()
    if device == 'cuda':
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated() / 2**20
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        layer(x, x, x).sum().backward()
        if device == 'cuda':
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated() / 2**20 if device == 'cuda' \
        else rss_mb()
    return dict(
        seconds=sorted(times[1:])[len(times[1:]) // 2],
        peak_mb=max(peak - base, 0.))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--lengths', type=int, nargs='+', default=[1000, 2000, 4000, 8000])
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--child', nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, length = args.child
        print(json.dumps(measure(kind, int(length), args.repeats)))
        return
    results = {}
    for kind in ('linear', 'softmax'):
        for length in args.lengths:
            out = subprocess.run([
                sys.executable, __file__, '--child', kind,
                str(length), f'--repeats={args.repeats}'
            ],
                                 capture_output=True,
                                 text=True,
                                 check=True)
            results[kind, length] = json.loads(out.stdout.splitlines()[-1])
    device = torch.cuda.get_device_name() if torch.cuda.is_available() \
        else 'CPU'
    first = args.lengths[0]
    print(f'Temporal attention, forward + backward, 64 channels, 4 heads, '
          f'one sequence, median of {args.repeats}, on {device}')
    print(f'{"T":>6} | {"linear s":>9} {"x T0":>6} {"MB":>8} {"x T0":>6} | '
          f'{"softmax s":>9} {"x T0":>6} {"MB":>8} {"x T0":>6} | '
          f'{"softmax/linear time":>19}')
    for length in args.lengths:
        row = f'{length:>6} |'
        for kind in ('linear', 'softmax'):
            r, r0 = results[kind, length], results[kind, first]
            row += (
                f' {r["seconds"]:>9.4f} {r["seconds"] / r0["seconds"]:>6.1f}'
                f' {r["peak_mb"]:>8.1f}'
                f' {r["peak_mb"] / max(r0["peak_mb"], 1e-9):>6.1f} |')
        ratio = results['softmax',
                        length]['seconds'] / results['linear',
                                                     length]['seconds']
        print(row + f' {ratio:>19.1f}')


if __name__ == '__main__':
    main()
