"""Write the embedded synthetic scene-graph videos (ProDA's default data).

Example::

    python tools/data/make_synthetic_scene_graphs.py \
        --out-dir data/synthetic_scene_graphs

writes ``train.pkl``, ``test.pkl`` (the format of the Action Genome
converter) and ``features/<video_id>.pkl`` (node features), all from one
seed (see :mod:`mmaction_ext.datasets.synthetic.scene_graph_videos`); the
same seed gives byte-identical files.
"""
import argparse
import sys
from collections import Counter

from mmaction_ext.datasets.synthetic import (SYNTHETIC_ACTIONS,
                                             write_synthetic_scene_graphs)
from mmaction_ext.fileio import safe_load
from mmaction_ext.utils import run_tool


def parse_args():
    parser = argparse.ArgumentParser(
        description='Generate the synthetic scene-graph video dataset')
    parser.add_argument('--out-dir', default='data/synthetic_scene_graphs')
    parser.add_argument('--num-train', type=int, default=96)
    parser.add_argument('--num-test', type=int, default=48)
    parser.add_argument(
        '--feat-dim', type=int, default=32, help='node feature size D')
    parser.add_argument(
        '--noise',
        type=float,
        default=0.5,
        help='std of the node feature noise')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    paths = write_synthetic_scene_graphs(args.out_dir, args.num_train,
                                         args.num_test, args.feat_dim,
                                         args.noise, args.seed)
    for split, path in paths.items():
        data = safe_load(path)
        videos = data['data_list']
        labels = Counter(len(v['label']) for v in videos)
        print(f'{path}: {len(videos)} videos, {len(SYNTHETIC_ACTIONS)} '
              f'classes, labels per video {dict(sorted(labels.items()))}, '
              f'num_slots {data["metainfo"]["num_slots"]}')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main))
