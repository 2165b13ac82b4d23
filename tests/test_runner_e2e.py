"""Real MMEngine Runner runs on the synthetic data: in-process, CLI, DDP."""
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys

import mmengine
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def run_cli(args, timeout=600, **env):
    result = subprocess.run(
        args,
        cwd=ROOT,
        # the shell scripts call `python`: the interpreter running the tests
        env=dict(
            os.environ,
            PYTHONPATH=ROOT,
            PATH=osp.dirname(sys.executable) + os.pathsep +
            os.environ.get('PATH', ''),
            **env),
        capture_output=True,
        text=True,
        timeout=timeout)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


def run_distributed(args, **env):
    """run_cli for 2-process launches: one retry on another port.

    A port found free can be taken by another process before torchrun
    binds it; that rare race should not fail the suite.
    """
    try:
        return run_cli(args, PORT=free_port(), **env)
    except AssertionError as error:
        if 'Address already in use' not in str(error) and \
                'EADDRINUSE' not in str(error):
            raise
        return run_cli(args, PORT=free_port(), **env)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return str(sock.getsockname()[1])


def test_runner_train_val_test(tiny_config, tmp_path):
    cfg = Config.fromfile(tiny_config())
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert osp.isfile(osp.join(cfg.work_dir, 'epoch_2.pth'))
    metrics = runner.test()
    assert set(metrics) >= {'acc/top1', 'acc/top5', 'acc/mean1'}
    assert 0 <= metrics['acc/top1'] <= metrics['acc/top5'] <= 1


@pytest.mark.slow
def test_resume_continues_where_it_stopped(tiny_trained, tmp_path):
    config, trained = tiny_trained
    work_dir = str(tmp_path / 'work')
    shutil.copytree(trained, work_dir)  # last_checkpoint: the epoch 1 file
    first = torch.load(osp.join(work_dir, 'epoch_1.pth'), weights_only=True)
    assert first['meta']['epoch'] == 1
    output = run_cli([
        sys.executable, 'tools/train.py', config, '--work-dir', work_dir,
        '--resume'
    ])  # auto: latest checkpoint
    assert 'resumed epoch: 1' in output
    assert 'Epoch(train) [1]' not in output
    assert 'Epoch(train) [2]' in output
    second = torch.load(osp.join(work_dir, 'epoch_2.pth'), weights_only=True)
    assert second['meta']['epoch'] == 2
    assert second['meta']['iter'] == 2 * first['meta']['iter']


@pytest.mark.slow
def test_test_script_dumps_scores_and_metrics(tiny_trained, tmp_path):
    config, trained = tiny_trained
    dump = str(tmp_path / 'scores.pkl')
    metrics_file = str(tmp_path / 'metrics.json')
    output = run_cli([
        sys.executable, 'tools/test.py', config,
        osp.join(trained, 'epoch_1.pth'), '--work-dir',
        str(tmp_path / 'work'), '--dump', dump, '--out-metrics', metrics_file
    ])
    assert 'acc/top1' in output
    results = mmengine.load(dump)
    assert len(results) == 12  # 12 classes x 1 val subject x 1 repeat
    assert results[0]['pred_score'].shape == (12, )
    # the metrics file holds what AccMetric computed, as a plain top-k
    scores = np.stack([r['pred_score'].numpy() for r in results])
    labels = np.array([int(r['gt_label']) for r in results])
    ranked = np.argsort(-scores, axis=1)
    metrics = mmengine.load(metrics_file)
    assert set(metrics) == {'acc/top1', 'acc/top5', 'acc/mean1'}
    for k in (1, 5):
        hits = [labels[i] in ranked[i, :k] for i in range(len(labels))]
        assert metrics[f'acc/top{k}'] == pytest.approx(np.mean(hits))
    assert f'acc/top1: {metrics["acc/top1"]:.4f}' in output


@pytest.mark.slow
def test_dist_train_sh_runs_two_cpu_processes(tiny_config, tmp_path):
    config, work_dir = tiny_config(), str(tmp_path / 'work')
    output = run_distributed(
        ['bash', 'tools/dist_train.sh', config, '2', '--work-dir', work_dir])
    assert 'Distributed training: True' in output
    # 24 training samples, batch 8 per process: 2 iterations per epoch
    # when the two processes split the data (3 if each saw all of it).
    assert 'Epoch(train) [2][2/2]' in output
    assert 'Epoch(train) [2][3/3]' not in output
    # Rank 0 alone logs and saves.
    assert output.count('Epoch(train) [2][2/2]') == 1
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))
    assert len([d for d in os.listdir(work_dir) if d[:2] == '20']) == 1


@pytest.mark.slow
def test_mmaction2_own_train_script_uses_custom_imports(tiny_config, tmp_path):
    import mmaction
    script = osp.join(
        osp.dirname(mmaction.__file__), '.mim', 'tools', 'train.py')
    work_dir = str(tmp_path / 'work')
    output = run_cli(
        [sys.executable, script,
         tiny_config(), '--work-dir', work_dir])
    assert "type='CTRGCN'" in output
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))
