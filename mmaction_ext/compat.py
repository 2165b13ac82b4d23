"""Workarounds for known defects of the pinned OpenMMLab releases, all here.

Each fix is narrow: it checks for the defect first and does nothing when the
installed upstream package no longer has it. ``import mmaction_ext`` applies
them all (it calls :func:`apply_all` before anything imports
``mmaction.models``). ``tests/test_compat.py`` checks each one.

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

Two further traps are handled by dependency pins in ``setup.py`` rather than
code: mmaction2 imports ``importlib_metadata`` without declaring it (we
declare it), and mmengine's ``Config.fromfile`` imports ``pkg_resources`` to
resolve ``mmaction::`` bases, which setuptools >= 81 removed (we require
``setuptools<81``; that pin also has to work before any of our code runs,
e.g. in MMAction2's own ``tools/train.py``). MMEngine's pytorch launcher
calling ``torch.cuda.set_device`` on CPU-only machines is handled by
:func:`mmaction_ext.utils.setup_cpu_distributed`, which our tools call.
"""
import importlib.util
import os.path as osp
import sys
import types
import warnings

_DRN_MODULE = 'mmaction.models.localizers.drn'


def _mmaction_root():
    spec = importlib.util.find_spec('mmaction')
    return spec.submodule_search_locations[0]


def drn_is_missing():
    """Whether the installed mmaction2 lacks its ``localizers/drn`` folder."""
    return not osp.isdir(
        osp.join(_mmaction_root(), 'models', 'localizers', 'drn'))


def provide_missing_drn():
    """Register a stand-in for mmaction2 1.2.0's missing DRN localizer.

    Returns:
        bool: True if the stand-in was installed, False if nothing was needed.
    """
    if _DRN_MODULE in sys.modules or not drn_is_missing():
        return False
    from torch import nn

    from mmaction.registry import MODELS

    class DRN(nn.Module):
        """Stand-in for the DRN localizer missing from the mmaction2 wheel."""

        def __init__(self, *args, **kwargs):
            raise RuntimeError(
                'DRN is not available: the installed mmaction2 release '
                'ships without mmaction/models/localizers/drn '
                '(open-mmlab/mmaction2#2714). Install mmaction2 from source '
                'to use DRN; mmaction_ext only stubs it so that '
                '`import mmaction.models` works.')

    if 'DRN' not in MODELS.module_dict:
        MODELS.register_module(name='DRN', module=DRN)
    package = types.ModuleType(_DRN_MODULE)
    package.__path__ = []
    module = types.ModuleType(_DRN_MODULE + '.drn')
    module.DRN = DRN
    package.drn = module
    sys.modules[_DRN_MODULE] = package
    sys.modules[_DRN_MODULE + '.drn'] = module
    return True


def disable_vindlu_without_timm():
    """Keep mmaction2's VindLU models from breaking ``import mmaction.models``.

    mmaction2 1.2.0 imports its VindLU models whenever transformers >= 4.28 is
    installed, but VindLU also imports ``timm``, which mmaction2 does not
    declare (and which needs torchvision). Without timm we let mmaction2
    register its own placeholders for the three VindLU models instead, which
    raise an ImportError naming the missing extras when built.

    Returns:
        bool: True if VindLU was switched to placeholders.
    """
    from mmaction.utils import dependency
    if (not dependency.WITH_MULTIMODAL or 'mmaction.models' in sys.modules
            or importlib.util.find_spec('timm') is not None):
        return False
    dependency.WITH_MULTIMODAL = False
    return True


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


def allow_mmengine_checkpoint_globals():
    """Allow-list the plain-data globals of an MMEngine checkpoint.

    Returns:
        bool: True if globals were added (torch has ``add_safe_globals``).
    """
    import codecs

    import numpy as np
    import torch
    from mmengine.logging import HistoryBuffer
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is None:  # torch < 2.4 has no weights_only default
        return False
    multiarray = getattr(np, '_core', None) or np.core
    safe = [
        HistoryBuffer, np.ndarray, np.dtype,
        multiarray.multiarray._reconstruct, multiarray.multiarray.scalar,
        codecs.encode
    ]
    # numpy >= 1.25 pickles dtypes by class, e.g. numpy.dtypes.Float64DType
    codes = '?' + np.typecodes['AllInteger'] + np.typecodes['AllFloat']
    safe += [type(np.dtype(code)) for code in codes]
    add_safe_globals(safe)
    return True


def silence_expected_warnings():
    """Hide two import-time warnings that our pinned set-up makes expected.

    * mmcv-lite has no compiled ops, and ``mmaction.models`` imports
      ``mmcv.cnn.bricks.transformer``, which warns on every run that
      ``MultiScaleDeformableAttention`` needs full mmcv. Code that does need
      ``mmcv.ops`` still fails with mmcv's own ``ImportError``. Filtered only
      when mmcv has no compiled extension.
    * setuptools < 81 (which mmengine needs) warns that ``pkg_resources`` is
      deprecated each time mmengine resolves a ``mmaction::`` config base.

    Returns:
        bool: True if the mmcv-lite filter was added.
    """
    warnings.filterwarnings(
        'ignore', message='pkg_resources is deprecated', category=UserWarning)
    if importlib.util.find_spec('mmcv._ext') is not None:
        return False
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``')
    return True


def apply_all():
    """Apply every workaround that the installed packages need.

    Returns:
        dict: Name of each workaround and whether it changed anything.
    """
    return dict(
        provide_missing_drn=provide_missing_drn(),
        disable_vindlu_without_timm=disable_vindlu_without_timm(),
        make_history_buffer_pickle_safe=make_history_buffer_pickle_safe(),
        allow_mmengine_checkpoint_globals=allow_mmengine_checkpoint_globals(),
        silence_expected_warnings=silence_expected_warnings())
