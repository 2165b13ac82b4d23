"""Write the consolidated relation ground truth of VidVRD / VidOR videos.

Reads every ``*.json`` annotation under ANNOTATION_DIR (recursively: VidVRD
``test/``, VidOR ``annotation/validation/<pkg>/``), checks it, and writes
``{video_id: [{triplet, subject_tid, object_tid, duration, sub_traj,
obj_traj}]}`` as VidVRD-helper's ``python -m dataset.vidvrd test relation``
does, the ground truth ``tools/sage/eval_vidvrd.py`` scores against. An
existing OUT_JSON is never overwritten.

Example::

    python tools/sage/vidvrd_gt_json.py data/vidvrd/test \\
        data/vidvrd/test_gts.json --dataset vidvrd
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys
from typing import Optional, Sequence

from mmaction_ext.datasets.vidvrd_annotation import (VidVRDFormatError,
                                                     load_video_annotation,
                                                     relation_groundtruth)
from mmaction_ext.datasets.vidvrd_classes import DATASETS, load_vocabulary


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('annotation_dir', help='folder of annotation JSON')
    parser.add_argument('out_json', help='consolidated ground truth to write')
    parser.add_argument(
        '--dataset',
        default='vidvrd',
        choices=DATASETS,
        help='vocabulary the class names must belong to (default: vidvrd)')
    return parser.parse_args(argv)


def to_json(instances):
    return [
        dict(
            inst,
            sub_traj=inst['sub_traj'].tolist(),
            obj_traj=inst['obj_traj'].tolist()) for inst in instances
    ]


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if osp.exists(args.out_json):
        print(
            f'error: {args.out_json} exists; not overwriting it',
            file=sys.stderr)
        return 2
    paths = sorted(
        glob.glob(
            osp.join(args.annotation_dir, '**', '*.json'), recursive=True))
    if not paths:
        print(
            f'error: no *.json annotation under {args.annotation_dir}',
            file=sys.stderr)
        return 2
    vocabulary = load_vocabulary(args.dataset)
    try:
        gt = relation_groundtruth(
            [load_video_annotation(path, vocabulary) for path in paths])
    except OSError as err:
        print(
            f'error: cannot read {err.filename}: {err.strerror}',
            file=sys.stderr)
        return 2
    except VidVRDFormatError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    tmp = f'{args.out_json}.tmp{os.getpid()}'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump({vid: to_json(insts) for vid, insts in gt.items()}, f)
    os.replace(tmp, args.out_json)
    num = sum(len(insts) for insts in gt.values())
    empty = sum(not insts for insts in gt.values())
    print(f'{len(gt)} videos ({empty} without relations, skipped by the '
          f'evaluation), {num} relations -> {args.out_json}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
