"""Score video relation predictions with the VidVRD protocol.

Reads a consolidated ground truth ``{video_id: [relations]}`` (VidVRD-helper
``python -m dataset.vidvrd test relation gt.json``; RePro's
``VidVRDtest_gts.json``) and a prediction file in the official format
(``{"version": "VERSION 1.0", "results": {video_id: [relations]}}``) and
prints relation detection mAP, Recall@50/100 and tagging Precision@1/5/10
in percent. ``--split novel`` keeps, in both files, only the relations
with a novel predicate (all objects), as OV-MMP reports "novel".

Example::

    python tools/sage/eval_vidvrd.py VidVRDtest_gts.json results.json \\
        --split novel
"""
import argparse
import sys
from typing import Optional, Sequence

from mmaction_ext.datasets.vidvrd_annotation import VidVRDFormatError
from mmaction_ext.datasets.vidvrd_classes import (DATASETS, EVAL_SPLITS,
                                                  load_vocabulary)
from mmaction_ext.datasets.vidvrd_relations import (load_groundtruth,
                                                    load_predictions)
from mmaction_ext.evaluation.functional.vidvrd import (evaluate_relations,
                                                       filter_relations)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('gt_json', help='consolidated ground-truth JSON')
    parser.add_argument('pred_json', help='prediction JSON')
    parser.add_argument(
        '--split',
        default='all',
        choices=EVAL_SPLITS,
        help='predicates kept (default: all)')
    parser.add_argument(
        '--dataset',
        default='vidvrd',
        choices=DATASETS,
        help='vocabulary the class names must belong to (default: vidvrd)')
    parser.add_argument(
        '--viou-threshold',
        type=float,
        default=0.5,
        help='vIoU for a match (default: 0.5)')
    return parser.parse_args(argv)


def score(args: argparse.Namespace) -> dict:
    if not 0 < args.viou_threshold <= 1:
        raise ValueError(f'--viou-threshold must be in (0, 1], got '
                         f'{args.viou_threshold}')
    vocabulary = load_vocabulary(args.dataset)
    gts = load_groundtruth(args.gt_json, vocabulary)
    preds = load_predictions(args.pred_json, vocabulary)
    if args.split != 'all':
        objects, predicates = vocabulary.eval_classes(args.split)
        gts = filter_relations(gts, objects, predicates)
        preds = filter_relations(preds, objects, predicates)
    return evaluate_relations(gts, preds, args.viou_threshold)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        result = score(args)
    except OSError as err:
        print(
            f'error: cannot read {err.filename}: {err.strerror}',
            file=sys.stderr)
        return 2
    except (VidVRDFormatError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    if result['unscored_videos']:
        names = result['unscored_videos']
        print(
            f'warning: {len(names)} predicted videos are not in the '
            f'ground truth and are not scored (first: {names[0]!r})',
            file=sys.stderr)
    print(f'{args.dataset} split={args.split}: {result["num_videos"]} '
          f'videos, {result["num_gt"]} GT relations '
          f'(vIoU >= {args.viou_threshold:g})')
    print('detection mAP: {:.2f}  R@50: {:.2f}  R@100: {:.2f}'.format(
        *(100 * result[k] for k in ('mAP', 'R@50', 'R@100'))))
    print('tagging P@1: {:.2f}  P@5: {:.2f}  P@10: {:.2f}'.format(
        *(100 * result[k] for k in ('P@1', 'P@5', 'P@10'))))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
