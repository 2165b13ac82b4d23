"""Write the embedded synthetic skeleton datasets as PoseDataset pkl files.

Example::

    python tools/data/make_synthetic_skeletons.py --out-dir data/synthetic

writes ``ntu25_3d.pkl`` (NTU RGB+D 25 joints, 3D metres) and
``coco17_2d.pkl`` (COCO 17 keypoints, 2D pixels with scores), both made from
the same seeded 3D motions (see
:mod:`mmaction_ext.datasets.synthetic_skeletons`).
"""
import argparse
import os
import os.path as osp
from collections import Counter

import mmengine

from mmaction_ext.datasets.synthetic_skeletons import (SYNTHETIC_CLASSES,
                                                       make_pose_annotations)

LAYOUTS = (('nturgb+d', 'ntu25_3d.pkl'), ('coco', 'coco17_2d.pkl'))


def parse_args():
    parser = argparse.ArgumentParser(
        description='Generate the synthetic skeleton action datasets')
    parser.add_argument(
        '--out-dir', default='data/synthetic', help='output directory')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument(
        '--subjects', type=int, default=10, help='number of subjects')
    parser.add_argument(
        '--repeats',
        type=int,
        default=4,
        help='repetitions per subject and class')
    return parser.parse_args()


def main():
    args = parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for layout, filename in LAYOUTS:
        data = make_pose_annotations(layout, args.subjects, args.repeats,
                                     args.seed)
        path = osp.join(args.out_dir, filename)
        mmengine.dump(data, path)
        annos = data['annotations']
        persons = Counter(a['keypoint'].shape[0] for a in annos)
        print(f'{path}: {len(annos)} samples, '
              f'{len(SYNTHETIC_CLASSES)} classes, persons per sample '
              f'{dict(sorted(persons.items()))}')
        print('  ' + ', '.join(f'{name}: {len(names)}'
                               for name, names in data['split'].items()))


if __name__ == '__main__':
    main()
