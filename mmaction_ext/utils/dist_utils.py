"""Distributed launching on machines without CUDA."""
import os
import sys

import torch
import torch.distributed as dist
from mmengine.config import Config


def setup_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Let ``--launcher pytorch`` run with the gloo backend on CPU.

    MMEngine's pytorch launcher calls ``torch.cuda.set_device`` and wraps the
    model with ``device_ids=[LOCAL_RANK]``; both fail without CUDA. On such a
    machine we initialise the process group with gloo ourselves (the Runner
    then skips its own initialisation) and wrap the model without device ids,
    which is how ``DistributedDataParallel`` handles CPU modules. Where CUDA
    is available nothing changes.

    Args:
        cfg (Config): The config the Runner will be built from; its
            ``model_wrapper_cfg`` and ``env_cfg.dist_cfg`` are updated.
        launcher (str): The ``--launcher`` argument.

    Returns:
        bool: True if the CPU set-up was applied.
    """
    if launcher != 'pytorch' or torch.cuda.is_available():
        return False
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg.backend = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper.setdefault('device_ids', None)
    cfg.model_wrapper_cfg = wrapper
    return True


def teardown_distributed() -> bool:
    """Destroy the default process group, if this process has one.

    Without it, a gloo process group is torn down by the interpreter's exit
    while its threads still run, which can abort a rank after training has
    finished ("terminate called without an active exception", exit code 1).
    The tools call it after the runner finishes, also when it raises.

    Returns:
        bool: True if a process group was destroyed.
    """
    if not (dist.is_available() and dist.is_initialized()):
        return False
    dist.destroy_process_group()
    return True


def exit_cpu_distributed_process() -> None:
    """End a finished CPU rank at once, skipping the interpreter's shutdown.

    Even after :func:`teardown_distributed`, gloo's worker threads can still
    be joinable while C++ static objects are destroyed at interpreter exit;
    a rank then aborts ("terminate called without an active exception")
    after its work is done and saved, and the launcher reports a failure.
    A rank that has finished has nothing left to do at shutdown (its logs
    and checkpoints are written and closed), so it flushes its streams and
    leaves with exit status 0 without running that shutdown. Tools call it
    last, from their ``__main__`` block; it does nothing outside a
    multi-process CPU launch.
    """
    world_size = int(os.environ.get('WORLD_SIZE', '1'))
    if torch.cuda.is_available() or world_size < 2:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
