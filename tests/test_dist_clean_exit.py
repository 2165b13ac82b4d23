"""Distributed runs of tools/train.py and tools/test.py end cleanly."""
import importlib.util
import os.path as osp
import sys

import pytest
import torch
import torch.distributed as dist
from test_runner_e2e import free_port, run_distributed

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

needs_cpu_launch = pytest.mark.skipif(
    torch.cuda.is_available(),
    reason='with CUDA the Runner, not the tool, starts the process group')


def load_tool(name):
    spec = importlib.util.spec_from_file_location(
        f'tool_{name}', osp.join(ROOT, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _StubRunner:
    """Records whether the process group existed while the runner ran."""

    def __init__(self, fail):
        self.fail = fail
        self.saw_group = None

    def run(self):
        self.saw_group = dist.is_initialized()
        if self.fail:
            raise RuntimeError('runner failed')

    train = test = run


@needs_cpu_launch
@pytest.mark.parametrize('tool', ['train', 'test'])
@pytest.mark.parametrize('fail', [False, True])
def test_tool_destroys_process_group(tool, fail, tiny_config, tmp_path,
                                     monkeypatch):
    module = load_tool(tool)
    runner = _StubRunner(fail)
    monkeypatch.setattr(module.Runner, 'from_cfg', lambda cfg: runner)
    for key, value in dict(
            RANK='0',
            LOCAL_RANK='0',
            WORLD_SIZE='1',
            MASTER_ADDR='127.0.0.1',
            MASTER_PORT=free_port()).items():
        monkeypatch.setenv(key, value)
    args = [tiny_config()] + (['epoch_1.pth'] if tool == 'test' else [])
    monkeypatch.setattr(sys, 'argv', [
        f'{tool}.py', *args, '--launcher', 'pytorch', '--work-dir',
        str(tmp_path / 'work')
    ])
    try:
        if fail:
            with pytest.raises(RuntimeError, match='runner failed'):
                module.main()
        else:
            module.main()
        assert runner.saw_group is True
        assert not dist.is_initialized()
    finally:
        if dist.is_initialized():  # keep the other tests' process clean
            dist.destroy_process_group()


@pytest.mark.slow
def test_consecutive_two_process_runs_exit_0(tiny_config, tmp_path):
    config = tiny_config(extra='train_cfg = dict(max_epochs=1)\n')
    for run in range(3):
        work_dir = str(tmp_path / f'work{run}')
        output = run_distributed([
            'bash', 'tools/dist_train.sh', config, '2', '--work-dir', work_dir
        ])
        assert 'terminate called' not in output
        assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    output = run_distributed([
        'bash', 'tools/dist_test.sh', config,
        osp.join(work_dir, 'epoch_1.pth'), '2', '--work-dir', work_dir
    ])
    assert 'terminate called' not in output
    assert 'acc/top1' in output
