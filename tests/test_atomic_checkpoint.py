"""A kill while a checkpoint is written never loses the previous one."""
import collections
import os
import os.path as osp
import signal
import subprocess
import sys
import types

import pytest
import torch
from mmengine.fileio import get_file_backend
from mmengine.hooks import CheckpointHook
from mmengine.logging import MessageHub, MMLogger

from mmaction_ext import compat

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

# Runs a tool; SIGKILLs it halfway through writing the checkpoint file whose
# name starts with $KILL_AT, whichever way MMEngine writes it (torch.save
# into the file, or into memory and then LocalBackend.put).
KILLING_LAUNCHER = '''
import io, os, os.path as osp, runpy, signal, sys
import torch
from mmengine.fileio import LocalBackend

KILL_AT = os.environ['KILL_AT']

def targeted(path):
    return osp.basename(str(path)).lstrip('.').startswith(KILL_AT)

def die_halfway(data, f):
    f.write(data[:len(data) // 2])
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)

real_save, real_put = torch.save, LocalBackend.put

def save(obj, f, *args, **kwargs):
    if targeted(getattr(f, 'name', '')):
        buffer = io.BytesIO()
        real_save(obj, buffer, *args, **kwargs)
        die_halfway(buffer.getvalue(), f)
    return real_save(obj, f, *args, **kwargs)

def put(self, obj, filepath):
    if targeted(filepath):
        with open(filepath, 'wb') as f:
            die_halfway(obj, f)
    return real_put(self, obj, filepath)

torch.save, LocalBackend.put = save, put
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
'''


def run(args, **env):
    return subprocess.run(
        args,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=ROOT, **env),
        capture_output=True,
        text=True,
        timeout=600)


def test_mmengine_defect_is_fixed():
    assert not compat.checkpoint_hook_loses_previous_checkpoint()
    assert compat.make_checkpoint_saving_atomic() is False  # idempotent


def test_interrupted_write_keeps_the_old_file(tmp_path):
    path = str(tmp_path / 'epoch_1.pth')
    compat.write_atomically(path, lambda f: f.write(b'old'))

    def half_then_fail(f):
        f.write(b'ne')
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compat.write_atomically(path, half_then_fail)
    with open(path, 'rb') as f:
        assert f.read() == b'old'
    assert os.listdir(tmp_path) == ['epoch_1.pth']  # no temporary file left
    stale = tmp_path / '.epoch_1.pth.x1y2z3.tmp'  # left by a killed writer
    stale.write_bytes(b'ha')
    compat.write_atomically(path, lambda f: f.write(b'new'))
    assert not stale.exists()
    with open(path, 'rb') as f:
        assert f.read() == b'new'
    assert oct(os.stat(path).st_mode & 0o777) != oct(0o600)


def test_sigkill_while_saving_then_resume(tiny_config, tmp_path):
    config = tiny_config(extra='default_hooks = dict(logger=dict(interval=1),'
                         ' checkpoint=dict(interval=1, max_keep_ckpts=1))\n'
                         'train_cfg = dict(max_epochs=3)\n')
    work_dir = str(tmp_path / 'work')
    launcher = tmp_path / 'kill_while_saving.py'
    launcher.write_text(KILLING_LAUNCHER)
    train = ['tools/train.py', config, '--work-dir', work_dir]

    killed = run(
        [sys.executable, str(launcher)] + train, KILL_AT='epoch_3.pth')
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    previous = osp.join(work_dir, 'epoch_2.pth')
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read().strip() == previous
    assert torch.load(previous, weights_only=True)['meta']['epoch'] == 2
    assert not osp.exists(osp.join(work_dir, 'epoch_3.pth'))

    resumed = run([sys.executable] + train + ['--resume'])
    output = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, output[-3000:]
    assert 'resumed epoch: 2' in output
    assert 'Epoch(train) [2]' not in output
    last = torch.load(osp.join(work_dir, 'epoch_3.pth'), weights_only=True)
    assert last['meta']['epoch'] == 3
    assert not osp.exists(previous)  # max_keep_ckpts=1, after the new one
    assert not [name for name in os.listdir(work_dir) if name[0] == '.']


class _Interrupted(Exception):
    pass


def _best_hook_and_runner(work_dir, save):
    hook = CheckpointHook(interval=1, save_best='acc', rule='greater')
    hook.out_dir = work_dir
    hook.file_backend = get_file_backend(work_dir)
    hook.keep_ckpt_ids = collections.deque([], 1)
    hook.best_ckpt_path = osp.join(work_dir, 'best_acc_epoch_1.pth')
    hub = MessageHub(f'best_test_{id(hook)}')
    hub.update_info('best_score', 0.5)
    hub.update_info('best_ckpt', hook.best_ckpt_path)
    runner = types.SimpleNamespace(
        work_dir=work_dir,
        epoch=2,
        iter=20,
        message_hub=hub,
        logger=MMLogger.get_instance('best_test'),
        save_checkpoint=save)
    return hook, runner


def _write(out_dir, filename, *args, **kwargs):
    compat.write_atomically(
        osp.join(out_dir, filename), lambda f: f.write(b'new best'))


def test_previous_best_survives_an_interrupted_save(tmp_path):
    work_dir = str(tmp_path)
    old_best = osp.join(work_dir, 'best_acc_epoch_1.pth')
    compat.write_atomically(old_best, lambda f: f.write(b'old best'))

    def interrupted(*args, **kwargs):
        raise _Interrupted

    hook, runner = _best_hook_and_runner(work_dir, interrupted)
    with pytest.raises(_Interrupted):
        hook._save_best_checkpoint(runner, dict(acc=0.9))
    assert os.listdir(work_dir) == ['best_acc_epoch_1.pth']

    hook, runner = _best_hook_and_runner(work_dir, _write)
    hook._save_best_checkpoint(runner, dict(acc=0.9))
    assert os.listdir(work_dir) == ['best_acc_epoch_2.pth']
