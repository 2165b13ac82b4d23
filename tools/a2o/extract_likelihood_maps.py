"""Precompute A2O's object likelihood maps of a video list.

The detections of every video (every ``--every``-th frame) for the ordered
class list are cached under ``<out-root>/<key>/``, the key hashing the
class list, the detector (backend, weights, thresholds) and the segmenter,
so a changed list or model never reuses stale maps. With
``--segmenter-weights`` each detection's mask (SAM, prompted with its box)
is stored too, and the maps are drawn from the masks instead of the boxes.
Each video's file is written atomically and videos already done are
skipped, so rerunning the same command after an interruption continues
where it stopped. The class set's folder is printed at the end: it is the
``maps_dir`` of ``LoadLikelihoodMaps``.

Usage:
    python tools/a2o/extract_likelihood_maps.py \\
        --videos data/ssv2/train.txt data/ssv2/val.txt \\
        --video-root data/ssv2/videos --classes person hand cup \\
        --weights checkpoints/owlv2-base-patch16-ensemble \\
        --out-root data/ssv2/maps \\
        [--segmenter-weights checkpoints/sam-vit-base]
"""
import argparse
import sys
from typing import Optional, Sequence

from mmaction_ext.open_vocab import (BACKENDS, SEGMENTER_BACKENDS,
                                     build_open_vocab_detector,
                                     build_segmenter, extract_maps,
                                     read_video_list)
from mmaction_ext.utils import run_tool
from mmaction_ext.utils.errors import BadInputError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument(
        '--videos',
        nargs='+',
        required=True,
        help='MMAction2 video lists ("<path> <label>" lines)')
    parser.add_argument(
        '--video-root', required=True, help='folder the paths start from')
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument('--classes', nargs='+', help='object classes')
    group.add_argument(
        '--classes-file', help='object classes, one a line, in order')
    parser.add_argument('--backend', default='owlv2', choices=sorted(BACKENDS))
    parser.add_argument(
        '--weights',
        help='transformers weights folder (owlv2, grounding_dino)')
    parser.add_argument('--mmdet-config', help='mmdet_grounding_dino config')
    parser.add_argument(
        '--mmdet-checkpoint', help='mmdet_grounding_dino checkpoint')
    parser.add_argument(
        '--score-thr',
        type=float,
        help='keep boxes scoring at least this '
        '(default: the backend\'s)')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument(
        '--every', type=int, default=1, help='detect every N-th frame')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--segmenter-weights',
        help='transformers SAM weights folder: masks instead of boxes '
        '(default: none, box maps)')
    parser.add_argument(
        '--segmenter', default='sam', choices=sorted(SEGMENTER_BACKENDS))
    parser.add_argument(
        '--mask-threshold',
        type=float,
        help='threshold on the mask logits (default: the segmenter\'s)')
    parser.add_argument('--out-root', required=True)
    parser.add_argument(
        '--skip-bad',
        action='store_true',
        help='list undecodable videos at the end instead of stopping')
    return parser.parse_args(argv)


def detector_config(args: argparse.Namespace) -> dict:
    cfg = dict(
        type=args.backend, batch_size=args.batch_size, device=args.device)
    if args.backend == 'mmdet_grounding_dino':
        cfg.update(config=args.mmdet_config, checkpoint=args.mmdet_checkpoint)
    else:
        if not args.weights:
            raise BadInputError(f'--weights is required for --backend '
                                f'{args.backend}')
        cfg.update(weights=args.weights)
    if args.score_thr is not None:
        cfg.update(score_thr=args.score_thr)
    return cfg


def segmenter_config(args: argparse.Namespace) -> Optional[dict]:
    if not args.segmenter_weights:
        if args.mask_threshold is not None:
            raise BadInputError('--mask-threshold needs --segmenter-weights')
        return None
    cfg = dict(
        type=args.segmenter,
        weights=args.segmenter_weights,
        device=args.device)
    if args.mask_threshold is not None:
        cfg.update(mask_threshold=args.mask_threshold)
    return cfg


def read_classes(args: argparse.Namespace):
    if args.classes:
        return args.classes
    with open(args.classes_file, encoding='utf-8') as f:
        return [line.strip() for line in f if line.strip()]


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    classes = read_classes(args)
    videos = []
    for path in args.videos:
        videos += read_video_list(path)
    detector = build_open_vocab_detector(detector_config(args))
    segmenter = build_segmenter(segmenter_config(args))
    set_dir = extract_maps(
        list(dict.fromkeys(videos)),
        args.video_root,
        classes,
        detector,
        args.out_root,
        every=args.every,
        skip_bad=args.skip_bad,
        segmenter=segmenter)
    print(set_dir)
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main()))
