"""Cut MultiSports action tubes into labelled clips for classification.

Each ground-truth tube of ``multisports_GT.pkl`` becomes one clip (its first
to its last frame) ``<out>/clips/<video id>_l<label>_t<tube>.mp4``; the
lists ``multisports_{train,val}_clips.txt`` (``<clip> <label>``, for
MMAction2's ``VideoDataset``) and ``multisports_classes.txt`` go to
``<out>``. Clips already written are kept, so an interrupted run resumes.

Example::

    python tools/data/multisports_to_clips.py \\
        --gt data/multisports/annotations/multisports_GT.pkl \\
        --video-root data/multisports/trainval --out data/multisports \\
        --short-side 320
"""
import argparse
import os.path as osp
import sys

from mmaction_ext.datasets.multisports_clips import (cut_tube_clips,
                                                     load_multisports_gt)
from mmaction_ext.fileio.atomic_write import write_atomically
from mmaction_ext.utils import run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--gt', required=True, help='multisports_GT.pkl')
    parser.add_argument(
        '--video-root', required=True, help='folder of <video id>.mp4')
    parser.add_argument('--out', required=True)
    parser.add_argument('--short-side', type=int, default=0)
    parser.add_argument(
        '--splits',
        nargs='+',
        default=['train', 'val'],
        choices=['train', 'val'])
    args = parser.parse_args(argv)
    gt = load_multisports_gt(args.gt)
    files = {'multisports_classes.txt': list(gt['labels'])}
    for split in args.splits:
        files[f'multisports_{split}_clips.txt'] = cut_tube_clips(
            gt, split, args.video_root, osp.join(args.out, 'clips'),
            args.short_side)
    for name, lines in files.items():
        data = ('\n'.join(lines) + '\n').encode('utf-8')
        write_atomically(osp.join(args.out, name), lambda f: f.write(data))
        print(f'{len(lines)} lines -> {osp.join(args.out, name)}')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main()))
