"""Test (and evaluate) a recognizer; MMAction2's ``tools/test.py`` CLI.

Imports ``mmaction_ext``, supports ``--launcher pytorch`` on machines without
CUDA like ``tools/train.py`` (and destroys the process group at the end),
and builds the model without its training-only parts (e.g. GAP's text
branch; see :func:`mmaction_ext.utils.drop_train_only_args`).
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.dist import is_main_process
from mmengine.fileio import dump
from mmengine.runner import Runner

import mmaction_ext  # noqa: F401  (applies workarounds, registers modules)
from mmaction.registry import RUNNERS
from mmaction_ext.engine import add_checkpoint_check
from mmaction_ext.utils import (drop_train_only_args,
                                exit_cpu_distributed_process, run_tool,
                                setup_cpu_distributed, teardown_distributed)


def parse_args():
    parser = argparse.ArgumentParser(
        description='Test (and evaluate) a recognizer')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir', help='the directory to save evaluation metrics')
    parser.add_argument(
        '--dump',
        type=str,
        help='dump predictions to a pickle file (e.g. for tools/ensemble.py)')
    parser.add_argument(
        '--out-metrics',
        help='write the test metrics (a dict) to this JSON file')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config entries, xxx=yyy format')
    parser.add_argument(
        '--show-dir', help='directory to save visualization images')
    parser.add_argument(
        '--show', action='store_true', help='show the prediction results')
    parser.add_argument(
        '--interval', type=int, default=1, help='visualize every n samples')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='seconds per window')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(
        '--non-strict-load',
        action='store_true',
        help='test even if the checkpoint does not fit the model')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg, args):
    """Merge command line arguments into the config."""
    if args.show or args.show_dir is not None:
        assert 'visualization' in cfg.default_hooks, \
            'set `default_hooks.visualization=dict(type="VisualizationHook")`'
        cfg.default_hooks.visualization.enable = True
        cfg.default_hooks.visualization.show = args.show
        cfg.default_hooks.visualization.wait_time = args.wait_time
        cfg.default_hooks.visualization.out_dir = args.show_dir
        cfg.default_hooks.visualization.interval = args.interval
    if args.dump is not None:
        assert args.dump.endswith(('.pkl', '.pickle')), \
            'The dump file must be a pkl file.'
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        if isinstance(cfg.test_evaluator, (list, tuple)):
            cfg.test_evaluator = [*cfg.test_evaluator, dump_metric]
        else:
            cfg.test_evaluator = [cfg.test_evaluator, dump_metric]
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    return cfg


def main():
    args = parse_args()
    cfg = merge_args(Config.fromfile(args.config), args)
    dropped = drop_train_only_args(cfg.model)
    if dropped:
        print(f'Testing without the training-only {dropped} of the model.')
    if args.non_strict_load:
        cfg.strict_load = False
    # every weight of the tested model must come from the checkpoint
    add_checkpoint_check(cfg, min_matched=1.0)
    setup_cpu_distributed(cfg, args.launcher)
    try:
        if 'runner_type' not in cfg:
            runner = Runner.from_cfg(cfg)
        else:
            runner = RUNNERS.build(cfg)
        metrics = runner.test()
        if args.out_metrics and is_main_process():
            dump(metrics, args.out_metrics, file_format='json', indent=2)
    finally:
        teardown_distributed()


if __name__ == '__main__':
    status = run_tool(main)
    if status == 0:
        exit_cpu_distributed_process()
    sys.exit(status)
