import os.path as osp
import shutil

from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from ...fileio.atomic_write import write_atomically


@HOOKS.register_module()
class BestCheckpointLinkHook(Hook):
    """Keep a copy of the best checkpoint under a fixed name.

    MMEngine's ``CheckpointHook(save_best=...)`` names the best checkpoint
    after its metric and epoch (``best_<metric>_epoch_<n>.pth``), which a
    follow-up config cannot know in advance. After each validation this
    hook copies the current best to ``<work_dir>/<filename>`` (atomically),
    so e.g. ProDA's stage-2 config can ``load_from`` a fixed path. It runs
    after the ``CheckpointHook`` (lowest priority), on the main process.

    Args:
        filename (str): Name of the copy in the work dir. Defaults to
            ``'best.pth'``.
    """

    priority = 'LOWEST'

    def __init__(self, filename: str = 'best.pth') -> None:
        self.filename = filename
        self._copied = None

    def after_val_epoch(self, runner, metrics=None) -> None:
        best = runner.message_hub.get_info('best_ckpt')
        if not best or best == self._copied or not is_main_process():
            return
        if not osp.isfile(best):
            return
        target = osp.join(runner.work_dir, self.filename)
        with open(best, 'rb') as src:
            write_atomically(target, lambda dst: shutil.copyfileobj(src, dst))
        self._copied = best
        runner.logger.info(f'best checkpoint {osp.basename(best)} copied '
                           f'to {target}')
