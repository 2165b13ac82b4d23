"""Demo: train and test on the embedded synthetic skeletons.

Writes the synthetic data (and TRG-Net's text priors) if missing, then for
each experiment runs the same commands a user would (``tools/train.py`` then
``tools/test.py`` on the best checkpoint) and prints the metrics that
``tools/test.py`` computed with the config's test evaluator: top-1/top-5
accuracy (MMAction2's ``AccMetric``) for recognition, Acc/Edit/F1
(``SegmentationMetric``) for segmentation, plus colour-bar plots of a few
segmented sequences.

Usage:
    python tools/run_demo.py [--work-dir work_dirs/demo] [--full]
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

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DATA_DIR = osp.join(ROOT, 'data', 'synthetic')

# name -> config; recognition on the 3D NTU-layout synthetic clips with the
# same backbone, data, schedule and seed, so GAP differs from CTR-GCN by its
# text branch only; segmentation on long sequences built from the same
# synthetic actions.
EXPERIMENTS = {
    'CTR-GCN': 'configs/ctrgcn/ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d.py',
    'GAP (frozen text)':
    'configs/gap/gap_ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d_frozen-text.py',
    'GAP (official)':
    'configs/gap/gap_ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d.py',
    'TRG-Net': 'configs/trgnet/trgnet_1xb4-12e_synthetic-ntu25-3d.py',
    'ProDA': 'configs/proda/proda_1xb8-20e_synthetic-sg_stage1.py',
}
# GAP as published (fine-tuned text encoder) against the same CTR-GCN, and
# TRG-Net; the frozen-encoder speed option of GAP runs too with --full.
DEFAULT = ('CTR-GCN', 'GAP (official)', 'TRG-Net', 'ProDA')
# ProDA trains stage 1 (EXPERIMENTS), then stage 2 (classifiers only, from
# stage 1's best checkpoint); its analysis config tests localization.
PRODA_STAGE2 = 'configs/proda/proda_1xb8-6e_synthetic-sg_stage2.py'
PRODA_ANALYSIS = (
    'configs/proda/proda_1xb8-6e_synthetic-sg_stage2-analysis.py')
PRODA_DATA = osp.join('data', 'synthetic_scene_graphs')
MINILM = osp.join('data', 'text_models', 'all-MiniLM-L6-v2')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
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


def task_of(config):
    """'segmentation' or 'recognition', from the config's test metric."""
    from mmengine.config import Config
    evaluators = Config.fromfile(osp.join(ROOT, config)).test_evaluator
    if not isinstance(evaluators, (list, tuple)):
        evaluators = [evaluators]
    types = [evaluator.get('type') for evaluator in evaluators]
    if 'SegmentationMetric' in types:
        return 'segmentation'
    if 'AccMetric' in types:
        return 'recognition'
    if 'ProDAMetric' in types:
        return 'proda'
    raise ValueError(f'{config}: test_evaluator {types} has neither '
                     'SegmentationMetric nor AccMetric')


def plot_segmentation(dump_file, plot_dir):
    """Colour-bar plots of the first test sequences."""
    run([
        sys.executable, 'tools/trgnet/visualize_segmentation.py', dump_file,
        plot_dir, '--refine', '--max', '4', '--classes',
        osp.join(DATA_DIR, 'segmentation_ntu25_3d.pkl')
    ])


def prepare_segmentation_data():
    if not osp.exists(osp.join(DATA_DIR, 'segmentation_ntu25_3d.pkl')):
        run([
            sys.executable, 'tools/data/make_synthetic_segmentation.py',
            '--out-dir', DATA_DIR
        ])
    # TRG-Net's text embeddings are declared in its config and cached on
    # first use; building them here keeps their one-time cost out of the
    # training time printed below.
    run([
        sys.executable, 'tools/trgnet/build_text_priors.py',
        EXPERIMENTS['TRG-Net']
    ])


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
    metrics_file = osp.join(work_dir, 'test_metrics.json')
    run([
        sys.executable, 'tools/test.py', config, checkpoint, '--work-dir',
        work_dir, '--dump', dump, '--out-metrics', metrics_file
    ] + options)
    from mmengine import load
    metrics = load(osp.join(ROOT, metrics_file))
    if task_of(config) == 'segmentation':
        plot_segmentation(
            osp.join(ROOT, dump), osp.join(ROOT, work_dir, 'plots'))
    return dict(metrics, minutes=train_minutes)


def main():
    args = parse_args()
    if not osp.exists(osp.join(DATA_DIR, 'ntu25_3d.pkl')):
        run([
            sys.executable, 'tools/data/make_synthetic_skeletons.py',
            '--out-dir', DATA_DIR
        ])
    if not osp.exists(osp.join(ROOT, MINILM)):
        run([sys.executable, 'tools/text/link_minilm.py'])
    names = [args.only
             ] if args.only else list(EXPERIMENTS if args.full else DEFAULT)
    tasks = {name: task_of(EXPERIMENTS[name]) for name in names}
    if 'segmentation' in tasks.values():
        prepare_segmentation_data()
    if 'proda' in tasks.values():
        prepare_proda_data()
    results = {
        name: (train_and_test_proda if tasks[name] == 'proda' else
               train_and_test)(name, EXPERIMENTS[name], args.work_dir,
                               args.cfg_options)
        for name in names
    }
    print('\nDemo on the embedded synthetic data (measured just now)')
    print_recognition({
        n: r
        for n, r in results.items() if tasks[n] == 'recognition'
    })
    print_segmentation({
        n: r
        for n, r in results.items() if tasks[n] == 'segmentation'
    })
    print_proda({n: r for n, r in results.items() if tasks[n] == 'proda'})


def print_recognition(results):
    """Top-1/top-5 (%) from ``AccMetric``'s fractions."""
    if not results:
        return
    print('\nrecognition, xsub_val clips:')
    print(f'{"model":<20}{"top-1 (%)":>11}{"top-5 (%)":>11}'
          f'{"train (min)":>13}')
    for name, result in results.items():
        top1, top5 = 100 * result['acc/top1'], 100 * result['acc/top5']
        print(f'{name:<20}{top1:>11.2f}{top5:>11.2f}'
              f'{result["minutes"]:>13.1f}')


def print_segmentation(results):
    """Acc/Edit/F1 (%) as ``SegmentationMetric`` reports them."""
    if not results:
        return
    print('\nsegmentation, test sequences (background left out of '
          'Edit/F1):')
    keys = ('Acc', 'Edit', 'F1@10', 'F1@25', 'F1@50')
    print(f'{"model":<20}' + ''.join(f'{k:>8}'
                                     for k in keys) + f'{"train (min)":>13}')
    for name, result in results.items():
        print(f'{name:<20}' + ''.join(f'{result[k]:>8.2f}' for k in keys) +
              f'{result["minutes"]:>13.1f}')


def prepare_proda_data():
    if not osp.exists(osp.join(ROOT, PRODA_DATA, 'test.pkl')):
        run([
            sys.executable, 'tools/data/make_synthetic_scene_graphs.py',
            '--out-dir', PRODA_DATA
        ])


def train_and_test_proda(name, config, work_root, cfg_options):
    """Stage 1, stage 2 from stage 1's best, test, analysis test + plot."""
    work_dir = osp.join(work_root, 'proda')
    stage1, stage2 = osp.join(work_dir, 'stage1'), osp.join(work_dir, 'stage2')
    options = ['--cfg-options', *cfg_options] if cfg_options else []
    start = time.time()
    run([
        sys.executable, 'tools/train.py', config, '--work-dir', stage1,
        '--seed', '0'
    ] + options)
    run([
        sys.executable, 'tools/train.py', PRODA_STAGE2, '--work-dir', stage2,
        '--seed', '0', '--cfg-options',
        f'load_from={osp.join(stage1, "best.pth")}', *cfg_options
    ])
    train_minutes = (time.time() - start) / 60
    checkpoint = sorted(glob.glob(osp.join(ROOT, stage2, 'best_*.pth')))[-1]
    metrics = {}
    for test_config, out in ((PRODA_STAGE2, 'test'),
                             (PRODA_ANALYSIS, 'analysis')):
        metrics_file = osp.join(work_dir, f'{out}_metrics.json')
        run([
            sys.executable, 'tools/test.py', test_config, checkpoint,
            '--work-dir',
            osp.join(work_dir, out), '--dump',
            osp.join(work_dir, f'{out}_scores.pkl'), '--out-metrics',
            metrics_file
        ] + options)
        from mmengine import load
        metrics[out] = load(osp.join(ROOT, metrics_file))
    figure = osp.join(work_dir, 'frame_weights.png')
    run([
        sys.executable, 'tools/proda/plot_frame_weights.py',
        osp.join(work_dir, 'analysis_scores.pkl'), figure, '--classes',
        osp.join(PRODA_DATA, 'test.pkl'), '--overwrite'
    ])
    return dict(metrics, minutes=train_minutes, figure=figure)


def print_proda(results):
    """a_t / a_m mAP (ground-truth-free specifications) and localization
    mAP (training recipe's specifications), percent."""
    if not results:
        return
    print('\nProDA, synthetic scene graphs (12 actions), test videos:')
    print(f'{"model":<20}{"a_t mAP":>9}{"a_m mAP":>9}{"loc mAP":>9}'
          f'{"train (min)":>13}')
    for name, result in results.items():
        test, loc = result['test'], result['analysis']
        loc_key = 'proda/loc_mAP/clean/theta0.7/iou0.5'
        print(f'{name:<20}{test["proda/a_t_mAP"]:>9.2f}'
              f'{test["proda/a_m_mAP"]:>9.2f}{loc[loc_key]:>9.2f}'
              f'{result["minutes"]:>13.1f}')
        print(f'(a_t, a_m: specifications without ground truth; loc: '
              f'frame weights s of the clean specifications, theta 0.7, '
              f'temporal IoU 0.5; figure {result["figure"]})')


if __name__ == '__main__':
    os.environ.setdefault('PYTHONUNBUFFERED', '1')
    main()
