"""A2O likelihood maps per clip: detector excluded and included, vs frames.

For clips of T = 8, 16, 32 frames at 256 x 256 and K = 15 object classes
(the paper's C_max range), side by side:

* ``rasterise``: detections -> (T, K, H, W) maps only
  (``boxes_to_likelihood_maps``, 20 boxes per frame and class);
* ``transform``: ``LoadLikelihoodMaps`` on cached detections (read the
  ``.npz``, pick the sampled frames, rasterise, append 15 channels to the
  frames), i.e. the data-loading cost of precomputed maps;
* ``detector``: the detector on the clip plus rasterising (on-the-fly
  maps). Only a tiny random OWLv2 can be built offline, so this column is
  the pipeline's overhead, not the cost of a real OWLv2 (ViT-B/16 at 960
  x 960), which dominates on-the-fly maps and is why precomputing them is
  the default.

Median of ``--repeats`` after a warm-up. Then the recognizer training
step with and without the adapter branch, side by side
(``benchmarks/a2o_adapter_overhead.py``, given ``--recognizer-args``).
Not a test: run it by hand:

    python benchmarks/a2o_maps.py [--repeats 5] [--threads N]
        [--recognizer-args "--frames 4 --size 64 --clock cpu"]
        [--no-recognizer]
"""
import argparse
import os.path as osp
import shlex
import statistics
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmaction_ext.datasets.transforms import LoadLikelihoodMaps  # noqa
from mmaction_ext.open_vocab import (Detections,  # noqa
                                     build_open_vocab_detector,
                                     detections_to_maps, set_key)
from mmaction_ext.open_vocab.map_cache import (save_video_maps,  # noqa
                                               write_meta)
from mmaction_ext.open_vocab.tiny_models import save_tiny_owlv2  # noqa

SIZE, NUM_CLASSES, BOXES = 256, 15, 20
CLASSES = [f'object {i}' for i in range(NUM_CLASSES)]


def median_time(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def random_detections(frames, seed=0):
    rng = np.random.default_rng(seed)
    count = frames * NUM_CLASSES * BOXES
    corner = rng.uniform(0, SIZE * 0.8, (count, 2))
    extent = rng.uniform(8, SIZE * 0.4, (count, 2))
    boxes = np.concatenate([corner, np.minimum(corner + extent, SIZE)], 1)
    return Detections(
        torch.from_numpy(boxes).float(),
        torch.from_numpy(rng.uniform(0.1, 1, count)).float(),
        torch.arange(count) // BOXES % NUM_CLASSES,
        torch.arange(count) // (BOXES * NUM_CLASSES))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--threads', type=int)
    parser.add_argument(
        '--recognizer-args',
        default='',
        help='arguments of benchmarks/a2o_adapter_overhead.py')
    parser.add_argument(
        '--no-recognizer',
        action='store_true',
        help='maps only, skip the recognizer step with vs without adapter')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    work = tempfile.mkdtemp()
    detector = build_open_vocab_detector(
        dict(
            type='owlv2',
            weights=save_tiny_owlv2(osp.join(work, 'owl')),
            score_thr=0.0))
    set_dir = osp.join(work, set_key(CLASSES, 'benchmark'))
    write_meta(set_dir, CLASSES, 'benchmark')
    print(f'A2O maps per clip, {SIZE}x{SIZE}, K={NUM_CLASSES}, '
          f'{BOXES} boxes per frame and class, torch threads '
          f'{torch.get_num_threads()} (median of {args.repeats}, ms)')
    print(f'{"frames":>6} {"rasterise":>10} {"transform":>10} '
          f'{"detector (tiny)":>16}')
    for frames in (8, 16, 32):
        found = random_detections(frames)
        save_video_maps(
            osp.join(set_dir, 'clip.mp4.npz'), found, np.arange(frames),
            (SIZE, SIZE), frames, CLASSES)
        transform = LoadLikelihoodMaps(CLASSES, maps_dir=set_dir)
        clip = np.random.default_rng(1).integers(
            0, 256, (frames, SIZE, SIZE, 3), dtype=np.uint8)

        def load():
            transform(
                dict(
                    imgs=list(clip),
                    filename='clip.mp4',
                    frame_inds=np.arange(frames)))

        rasterise = median_time(
            lambda: detections_to_maps(found, frames, NUM_CLASSES,
                                       (SIZE, SIZE)), args.repeats)
        loading = median_time(load, args.repeats)
        detecting = median_time(
            lambda: detector.likelihood_maps(clip, CLASSES), args.repeats)
        print(f'{frames:>6} {1e3 * rasterise:>10.1f} {1e3 * loading:>10.1f} '
              f'{1e3 * detecting:>16.1f}')
    if not args.no_recognizer:
        print()
        # the script's own folder is on sys.path when run as a script
        from a2o_adapter_overhead import main as adapter_overhead
        adapter_overhead(shlex.split(args.recognizer_args))


if __name__ == '__main__':
    main()
