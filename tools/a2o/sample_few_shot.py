"""Draw a k-shot training split from an MMAction2 video list.

Writes ``k`` videos of every class (seeded, reproducible) to a new list in
the same format (``<path> <label>``), e.g. the 2/4/8-shot settings of
A2O's Table 1. The output is written atomically and never overwrites the
input; an existing output needs ``--overwrite``.

Usage:
    python tools/a2o/sample_few_shot.py data/ssv2/train.txt \\
        --shots 4 --seed 0 --out data/ssv2/train_4shot_seed0.txt
"""
import argparse
import os.path as osp
import sys
from typing import Optional, Sequence

from mmaction_ext.datasets.few_shot import sample_few_shot
from mmaction_ext.fileio.atomic_write import write_atomically
from mmaction_ext.utils import run_tool
from mmaction_ext.utils.errors import BadInputError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('video_list', help='MMAction2 video list')
    parser.add_argument('--shots', type=int, required=True, help='k')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', required=True)
    parser.add_argument(
        '--allow-fewer',
        action='store_true',
        help='keep classes with fewer than k videos whole')
    parser.add_argument('--overwrite', action='store_true')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if osp.abspath(args.out) == osp.abspath(args.video_list):
        raise BadInputError('--out must not be the input list')
    if osp.exists(args.out) and not args.overwrite:
        raise BadInputError(f'{args.out} exists; pass --overwrite to '
                            'replace it')
    with open(args.video_list, encoding='utf-8') as f:
        lines = f.readlines()
    chosen = sample_few_shot(lines, args.shots, args.seed, args.video_list,
                             args.allow_fewer)
    data = ('\n'.join(chosen) + '\n').encode('utf-8')
    write_atomically(args.out, lambda f: f.write(data))
    print(f'{len(chosen)} videos -> {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main()))
