"""Print TRG-Net's boundary loss weight for a segmentation annotation file.

The official code weights boundary frames by 1 / (fraction of boundary
frames in the training list). ``BoundaryPosWeightHook`` computes the same
number at the start of training; this tool prints it beforehand, e.g. to
write it into a config.

Example::

    python tools/trgnet/boundary_pos_weight.py \\
        data/skeleton_segmentation/pku_mmd_xsub.pkl --split train
"""
import argparse
import sys
from typing import Optional, Sequence


from mmaction_ext.fileio import safe_load
from mmaction_ext.utils import UserInputError
from mmaction_ext.datasets.pose_checks import select_split
from mmaction_ext.structures import boundary_pos_weight


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('ann_file', help='segmentation pkl')
    parser.add_argument(
        '--split', default='train', help='split to count (default: train)')
    parser.add_argument(
        '--temporal-factor',
        type=int,
        default=1,
        help='TemporalDownsample factor of the training pipeline (LARa: 4)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        annotations = select_split(
            safe_load(args.ann_file), args.split, args.ann_file)
        weight = boundary_pos_weight([a['frame_labels'] for a in annotations],
                                     args.temporal_factor)
    except (KeyError, ValueError, UserInputError) as err:
        print(f'error: {err.args[0]}', file=sys.stderr)
        return 2
    print(f'{len(annotations)} sequences in split {args.split!r}: '
          f'pos_weight = {weight:.4f}')
    print(f'--cfg-options model.boundary_loss.pos_weight={weight:.4f}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
