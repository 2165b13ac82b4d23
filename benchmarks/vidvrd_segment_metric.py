"""Where ``VidVRDSegmentMetric``'s time goes at VidOR-like sizes.

Feeds synthetic, seeded segment predictions shaped like
``SAGEDetector.predict``'s output to ``VidVRDSegmentMetric`` and times its
three parts side by side: ``process`` (checking every segment relation),
the greedy association of each video's segments into video relations
(``greedy_relation_association``) and the scoring of the associated
relations (``evaluate_relations``). Sizes default to VidOR-like inputs:
videos of 1050 frames (VidOR clips are ~35 s at 30 fps on average), so 69
segments of 30 frames every 15; 12 objects per video moving smoothly over
lifetimes of 100 frames or more; per segment the first 20 subject /
object pairs alive in it (in a fixed order per video), each with its top
10 predicates (SAGE's ``pred_topk``; each pair keeps its predicate ranking
from segment to segment, with noisy scores), so up to 200 relations per
segment (``seg_topk``); 20 GT relations per video. Not a test: run by
hand,

    python benchmarks/vidvrd_segment_metric.py [--videos 10] [--seed 0]
"""
import argparse
import time

import numpy as np

from mmaction_ext.datasets import load_vocabulary
from mmaction_ext.evaluation import VidVRDSegmentMetric
from mmaction_ext.evaluation.functional import (evaluate_relations,
                                                greedy_relation_association)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--videos', type=int, default=10)
    parser.add_argument('--frames', type=int, default=1050, help='per video')
    parser.add_argument('--objects', type=int, default=12, help='per video')
    parser.add_argument('--pairs', type=int, default=20, help='per segment')
    parser.add_argument('--gts', type=int, default=20, help='per video')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def object_tracks(rng, args, names):
    """Per object: category, lifetime [begin, end) and (frames, 4) boxes of
    a box drifting smoothly over the whole video."""
    tracks = []
    for _ in range(args.objects):
        begin = int(rng.integers(0, args.frames - 100))
        end = int(rng.integers(begin + 100, args.frames + 1))
        size = rng.uniform([20, 20], [320, 240])
        start = rng.uniform([0, 0], [640, 480] - size)
        steps = np.cumsum(rng.normal(0, 2, (args.frames, 2)), axis=0)
        corner = np.clip(start + steps, 0, [640, 480] - size)
        boxes = np.concatenate([corner, corner + size], 1).round(1)
        tracks.append(
            (names[int(rng.integers(len(names)))], begin, end, boxes))
    return tracks


def jittered(rng, boxes):
    """``boxes`` moved by about a pixel, as a list (the model's output)."""
    boxes = (boxes + rng.normal(0, 1, boxes.shape)).round(1)
    boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2])
    return boxes.tolist()


def segment_relations(rng, args, tracks, ranking, pair_order, predicates,
                      segment):
    """SAGE-like output of one segment: top predicates of the first
    ``args.pairs`` alive pairs in the video's fixed pair order."""
    begin, end = segment
    pairs = []
    for s, o in (divmod(int(k), len(tracks)) for k in pair_order):
        (_, sb, se, _), (_, ob, oe, _) = tracks[s], tracks[o]
        lo, hi = max(begin, sb, ob), min(end, se, oe)
        if s != o and hi - lo > 1:
            pairs.append((s, o, lo, hi))
    relations = []
    for s, o, lo, hi in pairs[:args.pairs]:
        sub, obj = (jittered(rng, tracks[i][3][lo:hi]) for i in (s, o))
        scores = np.sort(rng.random(10))[::-1] * rng.uniform(0.3, 1)
        for p, score in zip(ranking[s, o, :10], scores):
            relations.append(
                dict(
                    triplet=(tracks[s][0], predicates[p], tracks[o][0]),
                    score=float(score),
                    duration=(lo, hi),
                    sub_traj=sub,
                    obj_traj=obj))
    return relations


def make_video(rng, args, vocab):
    tracks = object_tracks(rng, args, vocab.objects)
    ranking = np.argsort(
        rng.random((args.objects, args.objects, len(vocab.predicates))), -1)
    pair_order = rng.permutation(args.objects**2)
    samples = []
    for begin in range(0, args.frames - 30 + 1, 15):
        samples.append(
            dict(
                segment=(begin, begin + 30),
                pred_relations=segment_relations(rng, args, tracks, ranking,
                                                 pair_order, vocab.predicates,
                                                 (begin, begin + 30))))
    gts = []
    while len(gts) < args.gts:
        s, o = rng.choice(args.objects, 2, replace=False)
        lo = max(tracks[s][1], tracks[o][1])
        hi = min(tracks[s][2], tracks[o][2])
        if hi - lo > 30:
            gts.append(
                dict(
                    triplet=(tracks[s][0], vocab.predicates[ranking[s, o, 0]],
                             tracks[o][0]),
                    duration=(lo, hi),
                    sub_traj=tracks[s][3][lo:hi].tolist(),
                    obj_traj=tracks[o][3][lo:hi].tolist()))
    samples[0]['gt_relations'] = gts
    return samples


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def main():
    args = parse_args()
    rng = np.random.default_rng(args.seed)
    vocab = load_vocabulary('vidor')
    samples = []
    for v in range(args.videos):
        video = make_video(rng, args, vocab)
        for sample in video:
            sample['video_id'] = f'video{v:04d}'
        samples.extend(video)
    count = sum(len(s['pred_relations']) for s in samples)
    print(f'{args.videos} videos, {len(samples)} segments, {count} segment '
          f'relations, seed {args.seed}')
    metric = VidVRDSegmentMetric(dataset='vidor')
    _, process_s = timed(metric.process, {}, samples)
    segments = {}
    for vid, segment, relations, _ in metric.results:
        segments.setdefault(vid, {})[segment] = relations
    preds, associate_s = timed(
        lambda: {
            vid: greedy_relation_association(by_segment)
            for vid, by_segment in segments.items()
        })
    gts = {vid: gt for vid, _, _, gt in metric.results if gt is not None}
    scores, score_s = timed(evaluate_relations, gts, preds)
    print(f'mAP {100 * scores["mAP"]:.2f}, R@50 {100 * scores["R@50"]:.2f}; '
          f'{sum(map(len, preds.values()))} video relations')
    total = process_s + associate_s + score_s
    print(f'{"part":<40}{"time (s)":>10}{"share":>8}')
    for name, secs in (('process (check segment relations)', process_s),
                       ('greedy_relation_association',
                        associate_s), ('evaluate_relations', score_s)):
        print(f'{name:<40}{secs:>10.2f}{secs / total:>8.0%}')
    print(f'per video: {total / args.videos:.2f} s')


if __name__ == '__main__':
    main()
