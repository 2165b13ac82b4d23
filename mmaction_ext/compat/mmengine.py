"""Workarounds for MMEngine 0.10's pickling and checkpoint saving."""
import collections
import functools
import os.path as osp
import tempfile
import types

from ..fileio.atomic_write import write_atomically


def history_buffer_pickles_methods():
    """Whether MMEngine's ``HistoryBuffer`` pickles bound methods."""
    from mmengine.logging import HistoryBuffer
    return 'statistics_methods' in HistoryBuffer().__getstate__()


def make_history_buffer_pickle_safe():
    """Stop ``HistoryBuffer`` from pickling its statistics methods.

    Returns:
        bool: True if ``HistoryBuffer`` was patched.
    """
    from mmengine.logging import HistoryBuffer
    if not history_buffer_pickles_methods():
        return False

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop('statistics_methods', None)
        return state

    HistoryBuffer.__getstate__ = __getstate__
    return True


def _save_checkpoint_atomically(upstream):
    """Wrap MMEngine's ``save_checkpoint`` to write local files atomically."""
    import torch
    from mmengine.fileio import LocalBackend, get_file_backend

    @functools.wraps(upstream)
    def save_checkpoint(checkpoint,
                        filename,
                        file_client_args=None,
                        backend_args=None):
        if file_client_args is not None or not isinstance(
                get_file_backend(filename, backend_args=backend_args),
                LocalBackend):
            return upstream(
                checkpoint,
                filename,
                file_client_args=file_client_args,
                backend_args=backend_args)
        write_atomically(filename, lambda f: torch.save(checkpoint, f))

    save_checkpoint.atomic = True
    return save_checkpoint


class _DeferredRemoval:
    """A file backend whose ``remove``/``rmtree`` only record the path."""

    def __init__(self, backend):
        self._backend = backend
        self.paths = []

    def remove(self, path):
        self.paths.append(path)

    rmtree = remove

    def __getattr__(self, name):
        return getattr(self._backend, name)


def _remove_checkpoint(backend, path):
    if backend.isfile(path):
        backend.remove(path)
    elif backend.isdir(path):  # checkpoints saved by deepspeed are folders
        backend.rmtree(path)


def _save_checkpoint_with_step(self, runner, step, meta):
    """``CheckpointHook._save_checkpoint_with_step``, removing old ones last.

    Same bookkeeping as MMEngine 0.10, in a safe order: save the new
    checkpoint, then point ``last_checkpoint`` at it (atomically), and only
    then remove the checkpoints beyond ``max_keep_ckpts``.
    """
    from mmengine.dist import is_main_process
    outdated = []
    if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids
                                        and self.keep_ckpt_ids[-1] == step):
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            outdated.append(self.keep_ckpt_ids.popleft())
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids',
                                       list(self.keep_ckpt_ids))
    ckpt_filename = self.filename_tmpl.format(step)
    self.last_ckpt = self.file_backend.join_path(self.out_dir, ckpt_filename)
    runner.message_hub.update_info('last_ckpt', self.last_ckpt)
    runner.save_checkpoint(
        self.out_dir,
        ckpt_filename,
        self.file_client_args,
        save_optimizer=self.save_optimizer,
        save_param_scheduler=self.save_param_scheduler,
        meta=meta,
        by_epoch=self.by_epoch,
        backend_args=self.backend_args,
        **self.args)
    if not is_main_process():
        return
    last_ckpt = self.last_ckpt.encode()
    write_atomically(
        osp.join(runner.work_dir, 'last_checkpoint'),
        lambda f: f.write(last_ckpt))
    for old_step in outdated:
        _remove_checkpoint(
            self.file_backend,
            self.file_backend.join_path(self.out_dir,
                                        self.filename_tmpl.format(old_step)))


def _save_best_after_writing(upstream):
    """Wrap ``_save_best_checkpoint`` to remove the old best one last."""

    @functools.wraps(upstream)
    def _save_best_checkpoint(self, runner, metrics):
        backend = self.file_backend
        deferred = self.file_backend = _DeferredRemoval(backend)
        try:
            upstream(self, runner, metrics)
        finally:
            self.file_backend = backend
        current = {self.last_ckpt, getattr(self, 'best_ckpt_path', None)}
        current.update(getattr(self, 'best_ckpt_path_dict', {}).values())
        for path in deferred.paths:
            if path not in current:
                _remove_checkpoint(backend, path)

    return _save_best_checkpoint


class _Interrupted(Exception):
    pass


def checkpoint_hook_loses_previous_checkpoint():
    """Whether an interrupted save leaves nothing to resume from.

    Runs ``CheckpointHook`` (``max_keep_ckpts=1``) on a stand-in runner whose
    save is interrupted, and checks that the previous checkpoint still exists
    and ``last_checkpoint`` still names it.

    Returns:
        bool: True if MMEngine has the defect.
    """
    from mmengine.fileio import get_file_backend
    from mmengine.hooks import CheckpointHook
    from mmengine.logging import MessageHub

    def interrupted_save(*args, **kwargs):
        raise _Interrupted

    with tempfile.TemporaryDirectory() as work_dir:
        previous = osp.join(work_dir, 'epoch_1.pth')
        for path, text in ((previous, 'complete'),
                           (osp.join(work_dir, 'last_checkpoint'), previous)):
            with open(path, 'w') as f:
                f.write(text)
        hub = MessageHub(f'compat_probe_{id(work_dir)}')
        hub.update_info('keep_ckpt_ids', [1])
        runner = types.SimpleNamespace(
            work_dir=work_dir,
            message_hub=hub,
            save_checkpoint=interrupted_save)
        hook = CheckpointHook(interval=1, max_keep_ckpts=1)
        hook.out_dir = work_dir
        hook.file_backend = get_file_backend(work_dir)
        hook.keep_ckpt_ids = collections.deque([1], 1)
        try:
            hook._save_checkpoint_with_step(runner, 2, dict(epoch=2))
        except _Interrupted:
            pass
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            named = f.read().strip()
        return not (osp.isfile(previous) and named == previous)


def make_checkpoint_saving_atomic():
    """Save checkpoints so that a kill never loses the previous one.

    MMEngine 0.10 removes the checkpoints beyond ``max_keep_ckpts`` and the
    previous ``best_*`` before the new one is written, writes it in place,
    and ``last_checkpoint`` can name a removed file: a kill during the save
    leaves nothing to resume from. Checkpoints (periodic, last and best) and
    ``last_checkpoint`` are instead written to a temporary file in the same
    folder, fsynced and renamed, and old checkpoints are removed only after.
    Other storage backends (e.g. object stores) keep MMEngine's writer.

    Returns:
        bool: True if MMEngine was patched.
    """
    import mmengine.runner.runner as runner_module
    from mmengine.hooks import CheckpointHook
    hook_methods = ('_save_checkpoint_with_step', '_save_best_checkpoint')
    if not all(hasattr(CheckpointHook, name) for name in hook_methods):
        return False  # another MMEngine design: this fix does not apply
    if not checkpoint_hook_loses_previous_checkpoint():
        return False
    if not getattr(runner_module.save_checkpoint, 'atomic', False):
        runner_module.save_checkpoint = _save_checkpoint_atomically(
            runner_module.save_checkpoint)
    CheckpointHook._save_checkpoint_with_step = _save_checkpoint_with_step
    CheckpointHook._save_best_checkpoint = _save_best_after_writing(
        CheckpointHook._save_best_checkpoint)
    return True
