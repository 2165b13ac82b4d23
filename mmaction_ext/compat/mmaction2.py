"""Workarounds for mmaction2 1.2.0's packaging and import-time defects."""
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
