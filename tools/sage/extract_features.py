"""Precompute SAGE's frozen CLIP region features of a config's videos.

For every video of the config's ``<split>_dataloader`` dataset (a
``VidVRDSegmentDataset``: the same segments, sampled frames, trajectories
and pairs the training / test run will use), decodes the frames with
decord, runs a frozen CLIP image tower (transformers, local directory, e.g.
a ``save_pretrained`` copy of ``openai/clip-vit-base-patch16``) and writes
subject / object / union / whole-frame RoIAlign features to
``<data_prefix.features>/<video_id>.npz`` (one file per video, written
atomically). Rerunning skips the videos already done with the same
settings (resume); a file written with other settings stops the run and
is left unchanged.

Example::

    python tools/sage/extract_features.py \\
        configs/sage/_base_/datasets/vidvrd_predcls.py --split train \\
        --clip checkpoints/clip-vit-base-patch16
"""
import argparse
import os.path as osp
import sys
from typing import Optional, Sequence

from mmengine.config import DictAction

from mmaction_ext.utils import run_tool
from mmaction_ext.utils.errors import BadInputError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='config with a VidVRDSegmentDataset')
    parser.add_argument(
        '--split',
        default='train',
        choices=('train', 'val', 'test'),
        help='which <split>_dataloader dataset to extract')
    parser.add_argument(
        '--clip', required=True, help='local CLIP weights (directory/file)')
    parser.add_argument(
        '--short-side',
        type=int,
        default=224,
        help='short side of the resized frames (rounded to the patch)')
    parser.add_argument(
        '--roi-size', type=int, default=4, help='RoIAlign bins per side')
    parser.add_argument(
        '--batch-frames', type=int, default=16, help='frames per batch')
    parser.add_argument(
        '--dtype',
        default='float16',
        choices=('float16', 'float32'),
        help='storage type of the features')
    parser.add_argument('--videos', nargs='+', help='only these video ids')
    parser.add_argument(
        '--device', default='cpu', help='torch device of the encoder')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, as tools/train.py')
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict:
    from mmaction_ext.datasets.vidvrd_annotation import VidVRDFormatError
    from mmaction_ext.datasets.vidvrd_feature_extraction import (
        config_dataset, extract_dataset_features)
    if not osp.exists(args.clip):
        raise FileNotFoundError(f'--clip {args.clip} does not exist')
    try:
        dataset = config_dataset(args.config, args.split, args.cfg_options)
        return extract_dataset_features(
            dataset,
            args.clip,
            videos=args.videos,
            device=args.device,
            short_side=args.short_side,
            roi_size=args.roi_size,
            batch_frames=args.batch_frames,
            dtype=args.dtype)
    except (VidVRDFormatError, KeyError, ValueError) as err:
        message = err.args[0] if isinstance(err, KeyError) else str(err)
        raise BadInputError(message) from None


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    summary = run(args)
    print(f'{summary["videos"]} videos: {summary["written"]} written, '
          f'{summary["kept"]} already done')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main(sys.argv[1:])))
