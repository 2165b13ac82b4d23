"""Fuse the dumped test scores of 2-4 skeleton streams.

Each input is a ``tools/test.py --dump`` pickle of the same test set. The
fused score is the weighted sum of the streams' scores; the default weights
are the official GAP ones: 4 streams (joint, bone, joint motion, bone motion)
0.8/0.8/0.2/0.2, 3 streams 0.6/0.6/0.4, 2 streams 1/1.

Usage:
    python tools/ensemble.py J.pkl B.pkl JM.pkl BM.pkl [--weights ...]
        [--labels ntu120] [--per-class] [--out fused.pkl]
"""
import argparse
import sys
from typing import Dict, List, Optional, Sequence

import numpy as np

from mmaction.evaluation.functional import (mean_class_accuracy,
                                            top_k_accuracy)
from mmaction_ext.fileio import atomic_dump, safe_load
from mmaction_ext.utils import BadInputError, run_tool

DEFAULT_WEIGHTS = {2: (1., 1.), 3: (0.6, 0.6, 0.4), 4: (0.8, 0.8, 0.2, 0.2)}


def load_stream(path: str) -> Dict:
    """Scores (N, C), labels (N, ) and sample names of one dump."""
    results = safe_load(path)
    if not isinstance(results, list) or not results or \
            'pred_score' not in results[0]:
        raise BadInputError(f'{path} is not a `tools/test.py --dump` file')
    scores = np.stack([np.asarray(r['pred_score']) for r in results])
    labels = np.array(
        [int(np.asarray(r['gt_label']).reshape(-1)[0]) for r in results])
    names = [r.get('frame_dir') for r in results]
    return dict(path=path, scores=scores, labels=labels, names=names)


def check_streams(streams: Sequence[Dict],
                  assume_same_order: bool = False) -> None:
    """Raise unless the streams score the same samples in the same order.

    Without sample names (``frame_dir``) in every dump the order cannot be
    checked, which is refused unless ``assume_same_order`` is set.
    """
    first = streams[0]
    nameless = [s['path'] for s in streams if None in s['names']]
    if nameless and not assume_same_order:
        raise BadInputError(
            f'{nameless[0]}: samples without names (frame_dir), so their '
            'order cannot be checked against the other dumps. Dump with a '
            'config whose PackActionInputs keeps meta_keys=("frame_dir",), '
            'or pass --assume-same-order if all dumps come from the same '
            'test set in the same order.')
    for other in streams[1:]:
        where = f'{other["path"]} vs {first["path"]}'
        if other['scores'].shape[0] != first['scores'].shape[0]:
            raise BadInputError(f'{where}: {other["scores"].shape[0]} samples '
                                f'vs {first["scores"].shape[0]}')
        if other['scores'].shape[1] != first['scores'].shape[1]:
            raise BadInputError(f'{where}: {other["scores"].shape[1]} classes '
                                f'vs {first["scores"].shape[1]}')
        if None not in first['names'] and None not in other['names']:
            for index, (a,
                        b) in enumerate(zip(first['names'], other['names'])):
                if a != b:
                    raise BadInputError(
                        f'{where}: sample {index} is {b!r} '
                        f'there but {a!r} here (order differs)')
        mismatch = np.flatnonzero(other['labels'] != first['labels'])
        if mismatch.size:
            raise BadInputError(
                f'{where}: ground-truth labels differ, first at '
                f'sample {mismatch[0]} (order differs?)')


def fuse(streams: Sequence[Dict],
         weights: Optional[Sequence[float]] = None) -> np.ndarray:
    """Weighted sum of the streams' scores, shape (N, C)."""
    if weights is None:
        if len(streams) not in DEFAULT_WEIGHTS:
            raise BadInputError('give --weights for this many streams')
        weights = DEFAULT_WEIGHTS[len(streams)]
    if len(weights) != len(streams):
        raise BadInputError(
            f'{len(weights)} weights for {len(streams)} streams')
    return sum(w * s['scores'] for w, s in zip(weights, streams))


def per_class_accuracy(scores: np.ndarray, labels: np.ndarray) -> List:
    """(class, samples, top-1 %) for every class present."""
    predictions = scores.argmax(1)
    return [(c, int((labels == c).sum()), 100. * float(
        (predictions[labels == c] == c).mean())) for c in np.unique(labels)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('dumps', nargs='+', help='2-4 dumped score files')
    parser.add_argument('--weights', type=float, nargs='+')
    parser.add_argument(
        '--labels', help='text bank (e.g. ntu120) for class names')
    parser.add_argument('--per-class', action='store_true')
    parser.add_argument('--out', help='write the fused scores (pkl)')
    parser.add_argument(
        '--assume-same-order',
        action='store_true',
        help='fuse dumps without sample names, trusting their order')
    args = parser.parse_args()
    if not 2 <= len(args.dumps) <= 4:
        parser.error('give 2, 3 or 4 dumped score files')
    streams = [load_stream(path) for path in args.dumps]
    check_streams(streams, args.assume_same_order)
    scores = fuse(streams, args.weights)
    labels = streams[0]['labels']
    for stream in streams:
        top1, = top_k_accuracy(list(stream['scores']), labels, (1, ))
        print(f'{stream["path"]}: top-1 {100 * top1:.2f}')
    top1, top5 = top_k_accuracy(list(scores), labels, (1, 5))
    mean1 = mean_class_accuracy(list(scores), labels)
    print(f'ensemble of {len(streams)}: top-1 {100 * top1:.2f}  '
          f'top-5 {100 * top5:.2f}  mean class {100 * mean1:.2f}')
    if args.per_class:
        names = None
        if args.labels:
            from mmaction_ext.text import TextBank
            names = TextBank(args.labels).labels
        for cls, count, acc in per_class_accuracy(scores, labels):
            name = names[cls] if names else ''
            print(f'{cls:4d} {acc:6.2f} ({count:5d})  {name}')
    if args.out:
        atomic_dump(
            dict(scores=scores, labels=labels, names=streams[0]['names']),
            args.out)


if __name__ == '__main__':
    sys.exit(run_tool(main))
