"""VidVRD-protocol evaluation time: vectorised vs the plain reference.

Scores the same synthetic, seeded ground truth and predictions with
``mmaction_ext.evaluation.functional.evaluate_relations`` (all videos
matched together in rounds of numpy passes, vIoU only for the pairs the
greedy protocol looks at) and with the straightforward reference of the
protocol (``mmaction_ext.evaluation.functional.vidvrd_reference``: loops
over predictions, GTs and frames), asserts equal metrics (1e-9) and prints
both times and their ratio. Sizes default to VidOR-like inputs: videos of
up to 1200 annotated frames (VidOR clips are ~35 s at 30 fps on average),
trajectories of 30-600 frames, 20 GT relations per video over 30 object
and 50 predicate classes drawn with a long tail (class k with weight
1 / (k + 1)), and 200 predictions per video (the top-200 every VidVRD /
VidOR method submits), 70% of them near a GT (same triplet, span shifted
by up to 60 frames, boxes jittered by 2-40 pixels), so that recall stays
in the range methods reach on VidOR. The full VidOR validation set has 835
videos (``--videos 835``; the reference then needs several minutes). Not
a test: run by hand,

    python benchmarks/vidvrd_eval.py [--videos 100] [--seed 0]
"""
import argparse
import time

import numpy as np

from mmaction_ext.evaluation.functional import evaluate_relations
from mmaction_ext.evaluation.functional.vidvrd_reference import evaluate

METRICS = ('mAP', 'R@50', 'R@100', 'P@1', 'P@5', 'P@10')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--videos', type=int, default=100)
    parser.add_argument('--gts', type=int, default=20, help='per video')
    parser.add_argument('--preds', type=int, default=200, help='per video')
    parser.add_argument('--frames', type=int, default=1200, help='per video')
    parser.add_argument('--objects', type=int, default=30)
    parser.add_argument('--predicates', type=int, default=50)
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def trajectory(rng, length, width=640., height=480.):
    """(length, 4) boxes of a box drifting smoothly in the frame."""
    size = rng.uniform([20, 20], [width / 2, height / 2])
    start = rng.uniform([0, 0], [width, height] - size)
    steps = np.cumsum(rng.normal(0, 2, (length, 2)), axis=0)
    corner = np.clip(start + steps, 0, [width, height] - size)
    return np.concatenate([corner, corner + size], axis=1).round(1)


def skewed(rng, count):
    """A class index, class k drawn with weight 1 / (k + 1): a few
    classes (VidOR's adult, child; next_to, in_front_of) dominate."""
    weights = 1. / np.arange(1, count + 1)
    return int(rng.choice(count, p=weights / weights.sum()))


def ground_truth(rng, args):
    begin = int(rng.integers(0, args.frames - 30))
    end = begin + int(rng.integers(30, min(600, args.frames - begin) + 1))
    return dict(
        triplet=(f'o{skewed(rng, args.objects)}',
                 f'p{skewed(rng, args.predicates)}',
                 f'o{skewed(rng, args.objects)}'),
        duration=(begin, end),
        sub_traj=trajectory(rng, end - begin),
        obj_traj=trajectory(rng, end - begin))


def near(rng, gt, score, frames):
    """A prediction around ``gt``: shifted span, jittered boxes."""
    begin = int(
        np.clip(gt['duration'][0] + rng.integers(-60, 61), 0, frames - 1))
    end = int(
        np.clip(gt['duration'][1] + rng.integers(-60, 61), begin + 1, frames))

    def move(traj):
        index = np.clip(
            np.arange(begin, end) - gt['duration'][0], 0,
            len(traj) - 1)
        jitter = rng.normal(0, rng.choice([2., 10., 40.]), (end - begin, 4))
        boxes = (traj[index] + jitter).round(1)
        boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2])
        return boxes

    return dict(
        triplet=gt['triplet'],
        duration=(begin, end),
        sub_traj=move(gt['sub_traj']),
        obj_traj=move(gt['obj_traj']),
        score=score)


def make_inputs(args):
    rng = np.random.default_rng(args.seed)
    gts, preds = {}, {}
    for v in range(args.videos):
        video = [ground_truth(rng, args) for _ in range(args.gts)]
        scores = np.sort(rng.random(args.preds))[::-1]
        gts[f'video{v:04d}'] = video
        preds[f'video{v:04d}'] = [
            near(rng, video[rng.integers(len(video))], float(score),
                 args.frames) if rng.random() < 0.7 else dict(
                     ground_truth(rng, args), score=float(score))
            for score in scores
        ]
    return gts, preds


def as_lists(relations):
    """The reference's input: JSON-like lists of boxes."""
    return {
        vid: [
            dict(
                rel,
                sub_traj=rel['sub_traj'].tolist(),
                obj_traj=rel['obj_traj'].tolist()) for rel in rels
        ]
        for vid, rels in relations.items()
    }


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def main():
    args = parse_args()
    gts, preds = make_inputs(args)
    gt_lists, pred_lists = as_lists(gts), as_lists(preds)
    num_frames = sum(r['duration'][1] - r['duration'][0]
                     for rels in preds.values() for r in rels)
    print(f'{args.videos} videos, {args.gts} GT and {args.preds} predicted '
          f'relations each ({num_frames} predicted trajectory frames), '
          f'{args.objects} objects, {args.predicates} predicates, '
          f'seed {args.seed}')
    fast, fast_s = timed(evaluate_relations, gts, preds)
    slow, slow_s = timed(evaluate, gt_lists, pred_lists)
    for key in METRICS:
        assert abs(fast[key] - slow[key]) <= 1e-9, (key, fast[key], slow[key])
    print('metrics equal (1e-9): ' + ', '.join(f'{k} {100 * fast[k]:.2f}'
                                               for k in METRICS))
    print(f'{"implementation":<34}{"time (s)":>10}')
    print(f'{"reference (loops)":<34}{slow_s:>10.2f}')
    print(f'{"evaluate_relations (vectorised)":<34}{fast_s:>10.2f}')
    print(f'speed-up: {slow_s / fast_s:.1f}x')


if __name__ == '__main__':
    main()
