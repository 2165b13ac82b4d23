"""Workarounds for known defects of the pinned OpenMMLab releases, all here.

One module per upstream package (:mod:`.mmaction2`, :mod:`.mmengine`,
:mod:`.torch`, :mod:`.numpy`). Each fix is narrow: it checks for the defect
first and does nothing when the installed upstream package no longer has it.
``import mmaction_ext`` applies them all (it calls :func:`apply_all` before
anything imports ``mmaction.models``). ``tests/test_compat*.py`` check each.

1. **mmaction2 1.2.0 ships without ``mmaction/models/localizers/drn``**
   (open-mmlab/mmaction2#2714; fix PR #2721 never released), so
   ``import mmaction.models`` raises ``ModuleNotFoundError``. When that folder
   is missing we register a stand-in ``DRN`` module whose constructor raises a
   clear error; every other model imports normally.
2. **Resuming under torch >= 2.6** (``torch.load`` defaults to
   ``weights_only=True``). An MMEngine checkpoint pickles its message hub,
   whose ``HistoryBuffer`` objects pickle a dict of bound methods; unpickling
   those needs ``builtins.getattr``, which would let a foreign checkpoint call
   any attribute of any allowed object. We do not switch ``weights_only`` off.
   Instead (a) ``HistoryBuffer`` stops pickling those methods (they are
   class-level and re-registered at import anyway) and (b) the few plain-data
   globals MMEngine writes (``HistoryBuffer`` itself, numpy arrays, dtypes and
   scalars, ``codecs.encode`` used by numpy's byte pickling) are allow-listed
   with ``torch.serialization.add_safe_globals``. ``getattr`` stays forbidden.
3. **mmaction2 enables VindLU whenever transformers is installed**, yet VindLU
   also needs ``timm`` (undeclared, and it needs torchvision). Our text
   encoders need transformers, so without timm we let mmaction2 register its
   own VindLU placeholders instead of importing VindLU.
4. **A kill during an MMEngine checkpoint save loses the previous one**:
   MMEngine removes old checkpoints before writing the new one in place. We
   write atomically and remove old ones last
   (:func:`.mmengine.make_checkpoint_saving_atomic`).
5. **mmaction2 1.2.0 under numpy 2** uses removed numpy names (``np.Inf``,
   ``np.trapz``, ``np.in1d``) and ``int()`` of one-element arrays. The
   affected mmaction2 modules get those names back in their own namespace
   only (:mod:`.numpy`); numpy itself is unchanged.

Two further traps are handled by dependency pins in ``setup.py`` rather than
code: mmaction2 imports ``importlib_metadata`` without declaring it (we
declare it), and mmengine's ``Config.fromfile`` imports ``pkg_resources`` to
resolve ``mmaction::`` bases, which setuptools >= 81 removed (we require
``setuptools<81``; that pin also has to work before any of our code runs,
e.g. in MMAction2's own ``tools/train.py``). MMEngine's pytorch launcher
calling ``torch.cuda.set_device`` on CPU-only machines is handled by
:func:`mmaction_ext.utils.setup_cpu_distributed`, which our tools call.
"""
from .mmaction2 import (disable_vindlu_without_timm, drn_is_missing,
                        provide_missing_drn, silence_expected_warnings)
from .mmengine import (checkpoint_hook_loses_previous_checkpoint,
                       history_buffer_pickles_methods,
                       make_checkpoint_saving_atomic,
                       make_history_buffer_pickle_safe, write_atomically)
from .numpy import (fix_multisports_scalar_conversion, missing_numpy1_names,
                    multisports_tube_iou_fails, restore_numpy1_names)
from .torch import allow_mmengine_checkpoint_globals


def apply_all():
    """Apply every workaround that the installed packages need.

    The numpy fixes import mmaction2's datasets and metrics (and with them
    ``mmaction.models``), so they come after the import-time fixes.

    Returns:
        dict: Name of each workaround and what it changed (falsy: nothing).
    """
    return dict(
        provide_missing_drn=provide_missing_drn(),
        disable_vindlu_without_timm=disable_vindlu_without_timm(),
        make_history_buffer_pickle_safe=make_history_buffer_pickle_safe(),
        allow_mmengine_checkpoint_globals=allow_mmengine_checkpoint_globals(),
        make_checkpoint_saving_atomic=make_checkpoint_saving_atomic(),
        silence_expected_warnings=silence_expected_warnings(),
        restore_numpy1_names=restore_numpy1_names(),
        fix_multisports_scalar_conversion=fix_multisports_scalar_conversion())


__all__ = [
    'allow_mmengine_checkpoint_globals', 'apply_all',
    'checkpoint_hook_loses_previous_checkpoint', 'disable_vindlu_without_timm',
    'drn_is_missing', 'fix_multisports_scalar_conversion',
    'history_buffer_pickles_methods', 'make_checkpoint_saving_atomic',
    'make_history_buffer_pickle_safe', 'missing_numpy1_names',
    'multisports_tube_iou_fails', 'provide_missing_drn',
    'restore_numpy1_names', 'silence_expected_warnings', 'write_atomically'
]
