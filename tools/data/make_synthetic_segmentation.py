"""Write the embedded synthetic skeleton action segmentation dataset.

Example::

    python tools/data/make_synthetic_segmentation.py --out-dir data/synthetic

writes ``segmentation_ntu25_3d.pkl``: untrimmed one-person NTU RGB+D
25-joint 3D sequences of 4-8 actions with background gaps, 13 classes
(background + the 12 synthetic actions), splits ``train`` / ``test`` by
subject (see :mod:`mmaction_ext.datasets.synthetic_segmentation`).
"""
import argparse
import os
import os.path as osp

import mmengine
import numpy as np

from mmaction_ext.datasets.synthetic_segmentation import \
    make_segmentation_annotations


def parse_args():
    parser = argparse.ArgumentParser(
        description='Generate the synthetic skeleton segmentation dataset')
    parser.add_argument(
        '--out-dir', default='data/synthetic', help='output directory')
    parser.add_argument(
        '--filename',
        default='segmentation_ntu25_3d.pkl',
        help='output file name')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument(
        '--subjects',
        type=int,
        default=8,
        help='number of subjects (every 4th is a test subject)')
    parser.add_argument(
        '--repeats', type=int, default=20, help='sequences per subject')
    return parser.parse_args()


def main():
    args = parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    data = make_segmentation_annotations(args.subjects, args.repeats,
                                         args.seed)
    path = osp.join(args.out_dir, args.filename)
    mmengine.dump(data, path)
    frames = np.array([a['total_frames'] for a in data['annotations']])
    labels = np.concatenate([a['frame_labels'] for a in data['annotations']])
    print(f'{path}: {len(frames)} sequences, {len(data["classes"])} '
          f'classes, {frames.min()}-{frames.max()} frames '
          f'(mean {frames.mean():.0f}), background '
          f'{np.mean(labels == 0):.0%} of frames')
    print('  ' + ', '.join(f'{name}: {len(names)}'
                           for name, names in data['split'].items()))


if __name__ == '__main__':
    main()
