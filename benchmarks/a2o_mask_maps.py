"""A2O mask maps vs box maps per clip, and SAM's cost per frame.

For clips of T = 8 and 16 frames at 256 x 256 and K = 15 object classes
with ``--boxes`` detections per frame and class, side by side:

* ``box load`` / ``mask load``: ``LoadLikelihoodMaps`` on cached box maps
  and on cached mask maps (read the ``.npz``, pick the sampled frames,
  draw the maps, append K channels), i.e. the data-loading cost of each;
* ``box file`` / ``mask file``: the size of the video's ``.npz``.

Then the segmenter itself: ``SAMSegmenter`` with a SAM ViT-B of random
weights (the architecture of ``facebook/sam-vit-base``; the cost does not
depend on the weights) on one 256 x 256 frame with one box prompt and with
``--boxes`` x K box prompts (the difference is the mask decoder's share),
next to a frame without detections (skipped: no SAM call).

Median of ``--repeats`` after a warm-up; ``--clock cpu`` times the
process's CPU time instead of the wall clock (steadier on a shared
machine; with ``--threads 1`` it is the single-core time). Not a test: run
it by hand:

    python benchmarks/a2o_mask_maps.py [--repeats 3] [--boxes 3]
        [--threads N] [--clock wall|cpu] [--no-sam]
"""
import argparse
import os
import os.path as osp
import statistics
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmaction_ext.datasets.transforms import LoadLikelihoodMaps  # noqa
from mmaction_ext.open_vocab import map_cache  # noqa
from mmaction_ext.open_vocab import Detections, build_segmenter  # noqa

SIZE, NUM_CLASSES = 256, 15
CLASSES = [f'object {i}' for i in range(NUM_CLASSES)]


def median_time(fn, repeats, clock=time.perf_counter):
    fn()
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


def random_detections(frames, boxes, seed=0):
    rng = np.random.default_rng(seed)
    count = frames * NUM_CLASSES * boxes
    corner = rng.uniform(0, SIZE * 0.8, (count, 2))
    extent = rng.uniform(8, SIZE * 0.4, (count, 2))
    xyxy = np.concatenate([corner, np.minimum(corner + extent, SIZE)], 1)
    return Detections(
        torch.from_numpy(xyxy).float(),
        torch.from_numpy(rng.uniform(0.1, 1, count)).float(),
        torch.arange(count) // boxes % NUM_CLASSES,
        torch.arange(count) // (boxes * NUM_CLASSES))


def ellipse_masks(found):
    """(N, SIZE, SIZE) masks: the ellipse inscribed in each box."""
    ys = torch.arange(SIZE)[:, None] + 0.5
    xs = torch.arange(SIZE)[None, :] + 0.5
    x1, y1, x2, y2 = (v[:, None, None] for v in found.boxes.unbind(1))
    return (((xs - (x1 + x2) / 2) / ((x2 - x1) / 2))**2 +
            ((ys - (y1 + y2) / 2) / ((y2 - y1) / 2))**2) <= 1


def cache(work, name, found, frames, masks=None):
    set_dir = osp.join(work, map_cache.set_key(CLASSES, name))
    map_cache.write_meta(set_dir, CLASSES, name,
                         None if masks is None else 'benchmark segmenter')
    path = osp.join(set_dir, 'clip.mp4.npz')
    map_cache.save_video_maps(
        path, found, np.arange(frames), (SIZE, SIZE), frames, CLASSES,
        None if masks is None else map_cache.pack_masks(masks))
    return LoadLikelihoodMaps(CLASSES, maps_dir=set_dir), os.path.getsize(path)


def tiny_sam_vit_b(folder):
    """A SAM ViT-B (transformers' SamVisionConfig defaults), random."""
    import transformers
    config = transformers.SamConfig(vision_config=dict(initializer_range=0.02))
    torch.manual_seed(0)
    transformers.SamModel(config).save_pretrained(folder)
    transformers.SamProcessor(image_processor=transformers.SamImageProcessor()
                              ).save_pretrained(folder)
    return folder


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument(
        '--boxes', type=int, default=3, help='per frame and class')
    parser.add_argument('--threads', type=int)
    parser.add_argument('--no-sam', action='store_true')
    parser.add_argument('--clock', choices=('wall', 'cpu'), default='wall')
    parser.add_argument(
        '--no-maps', action='store_true', help='SAM only, no map loading')
    args = parser.parse_args()
    clock = time.process_time if args.clock == 'cpu' else time.perf_counter
    if args.threads:
        torch.set_num_threads(args.threads)
    work = tempfile.mkdtemp()
    print(f'A2O box vs mask maps per clip, {SIZE}x{SIZE}, K={NUM_CLASSES}, '
          f'{args.boxes} detections per frame and class, torch threads '
          f'{torch.get_num_threads()} (median of {args.repeats}, '
          f'{args.clock} clock)')
    if not args.no_maps:
        print(f'{"frames":>6} {"box load ms":>12} {"mask load ms":>13} '
              f'{"ratio":>6} {"box file KB":>12} {"mask file KB":>13}')
    for frames in () if args.no_maps else (8, 16):
        found = random_detections(frames, args.boxes)
        boxes, box_bytes = cache(work, 'boxes', found, frames)
        masks, mask_bytes = cache(work, 'masks', found, frames,
                                  ellipse_masks(found))
        clip = np.random.default_rng(1).integers(
            0, 256, (frames, SIZE, SIZE, 3), dtype=np.uint8)
        results = dict(
            imgs=list(clip), filename='clip.mp4', frame_inds=np.arange(frames))
        box_time = median_time(lambda: boxes(dict(results)), args.repeats,
                               clock)
        mask_time = median_time(lambda: masks(dict(results)), args.repeats,
                                clock)
        print(f'{frames:>6} {1e3 * box_time:>12.1f} {1e3 * mask_time:>13.1f} '
              f'{mask_time / box_time:>6.2f} {box_bytes / 1e3:>12.1f} '
              f'{mask_bytes / 1e3:>13.1f}')
    if args.no_sam:
        return
    segmenter = build_segmenter(
        dict(type='sam', weights=tiny_sam_vit_b(osp.join(work, 'sam'))))
    frame = np.random.default_rng(2).integers(
        0, 256, (1, SIZE, SIZE, 3), dtype=np.uint8)
    found = random_detections(1, args.boxes)
    one = Detections(*(column[:1] for column in found))
    print('\nSAM ViT-B (random weights, 1024 px input), one frame, s:')
    print(f'{"1 box":>8} {f"{len(found.boxes)} boxes":>10} '
          f'{"ratio":>6} {"no detection":>13}')
    times = [
        median_time(lambda: segmenter.segment(frame, dets), args.repeats,
                    clock) for dets in (one, found, Detections.empty())
    ]
    print(f'{times[0]:>8.2f} {times[1]:>10.2f} {times[1] / times[0]:>6.2f} '
          f'{times[2]:>13.4f}')


if __name__ == '__main__':
    main()
