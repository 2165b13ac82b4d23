"""The main job: train and test on the embedded synthetic skeletons.

Writes the synthetic data if it is missing, then for each experiment runs the
same commands a user would (``tools/train.py`` then ``tools/test.py --dump``
on the best checkpoint) and prints top-1/top-5 accuracy recomputed from the
dumped scores.

Usage:
    python tools/main_job.py [--work-dir work_dirs/main_job] [--full]
                             [--only NAME]
"""
import argparse
import glob
import os
import os.path as osp
import re
import subprocess
import sys
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DATA_DIR = osp.join(ROOT, 'data', 'synthetic')

# name -> config; all on the 3D NTU-layout synthetic data, same backbone,
# data, schedule and seed, so GAP differs from CTR-GCN by its text branch only.
EXPERIMENTS = {
    'CTR-GCN':
    'configs/ctrgcn/ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d.py',
    'GAP (frozen text)':
    'configs/gap/gap_ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d_frozen-text.py',
    'GAP (official)':
    'configs/gap/gap_ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d.py',
}
# GAP as published (fine-tuned text encoder) against the same CTR-GCN; the
# frozen-encoder speed option runs too with --full.
DEFAULT = ('CTR-GCN', 'GAP (official)')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/main_job')
    parser.add_argument(
        '--only', choices=sorted(EXPERIMENTS), help='run one experiment')
    parser.add_argument(
        '--full',
        action='store_true',
        help='also train GAP with the frozen, cached text encoder')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        help='passed on to tools/train.py, e.g. train_cfg.max_epochs=2')
    return parser.parse_args()


def run(cmd):
    print('\n$ ' + ' '.join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def top_k(dump_file, ks=(1, 5)):
    """Top-k accuracy (%) from a ``tools/test.py --dump`` pickle."""
    from mmengine import load
    results = load(dump_file)
    scores = np.stack([r['pred_score'].numpy() for r in results])
    labels = np.array([int(r['gt_label']) for r in results])
    ranked = np.argsort(-scores, axis=1)
    return {
        k:
        100.0 *
        np.mean([labels[i] in ranked[i, :k] for i in range(len(labels))])
        for k in ks
    }


def train_and_test(name, config, work_root, cfg_options):
    work_dir = osp.join(work_root,
                        re.sub(r'[^a-z0-9]+', '_', name.lower()).strip('_'))
    start = time.time()
    options = ['--cfg-options', *cfg_options] if cfg_options else []
    run([
        sys.executable, 'tools/train.py', config, '--work-dir', work_dir,
        '--seed', '0'
    ] + options)
    train_minutes = (time.time() - start) / 60
    best = sorted(glob.glob(osp.join(ROOT, work_dir, 'best_*.pth')))
    if best:
        checkpoint = best[-1]
    else:
        with open(osp.join(ROOT, work_dir, 'last_checkpoint')) as f:
            checkpoint = f.read().strip()
    dump = osp.join(work_dir, 'test_scores.pkl')
    run([
        sys.executable, 'tools/test.py', config, checkpoint, '--work-dir',
        work_dir, '--dump', dump
    ] + options)
    return dict(top_k(osp.join(ROOT, dump)), minutes=train_minutes)


def main():
    args = parse_args()
    if not osp.exists(osp.join(DATA_DIR, 'ntu25_3d.pkl')):
        run([
            sys.executable, 'tools/data/make_synthetic_skeletons.py',
            '--out-dir', DATA_DIR
        ])
    if not osp.exists(
            osp.join(ROOT, 'data', 'text_models', 'all-MiniLM-L6-v2')):
        run([sys.executable, 'tools/text/link_minilm.py'])
    names = [args.only
             ] if args.only else list(EXPERIMENTS if args.full else DEFAULT)
    results = {
        name:
        train_and_test(name, EXPERIMENTS[name], args.work_dir,
                       args.cfg_options)
        for name in names
    }
    print('\nMain job on the embedded synthetic data (xsub_val, measured '
          'just now):')
    print(f'{"model":<20}{"top-1 (%)":>11}{"top-5 (%)":>11}'
          f'{"train (min)":>13}')
    for name, result in results.items():
        print(f'{name:<20}{result[1]:>11.2f}{result[5]:>11.2f}'
              f'{result["minutes"]:>13.1f}')


if __name__ == '__main__':
    os.environ.setdefault('PYTHONUNBUFFERED', '1')
    main()
