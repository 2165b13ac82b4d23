"""Workarounds for mmaction2 1.2.0 code that numpy 2 broke.

numpy 2 removed ``np.Inf``, ``np.trapz`` (renamed ``np.trapezoid``) and
``np.in1d`` (``np.isin`` on the flattened first array), and no longer
converts a one-element array of ``ndim > 0`` to a Python scalar. mmaction2
1.2.0 still uses them in ``PoseCompact``, ``MMCompact``, ``frame_extract``,
``average_recall_at_avg_proposals``, ``RetrievalRecall`` and the MultiSports
metric.

We do not set these names on numpy itself, which would change numpy for the
whole program. Each affected mmaction2 module instead gets, as its own ``np``,
a copy of the numpy namespace with the removed names added back (same values
as numpy 1); everything else in it is numpy's own object. MultiSports'
``int(one_element_array)`` calls get a module-level ``int`` that accepts a
one-element array as numpy 1 did. Each fix is applied only when the module's
code uses a name its ``np`` lacks, or when the upstream function fails.
"""
import builtins
import importlib
import types

import numpy as np

# mmaction2 module -> the functions in it that use names numpy 2 removed.
NUMPY1_NAME_USERS = {
    'mmaction.datasets.transforms.pose_transforms':
    ('PoseCompact.transform', 'MMCompact._get_box'),
    'mmaction.utils.misc': ('frame_extract', ),
    'mmaction.evaluation.functional.accuracy':
    ('average_recall_at_avg_proposals', ),
    'mmaction.evaluation.metrics.multimodal_metric':
    ('RetrievalRecall.calculate', ),
}
MULTISPORTS_MODULE = 'mmaction.evaluation.functional.multisports_utils'


def _in1d(ar1, ar2, assume_unique=False, invert=False, *, kind=None):
    """numpy 1's ``np.in1d``: ``np.isin`` of the flattened ``ar1``."""
    return np.isin(
        np.ravel(ar1),
        ar2,
        assume_unique=assume_unique,
        invert=invert,
        kind=kind)


def _numpy1_names():
    """The names numpy 2 removed that mmaction2 1.2.0 uses, as in numpy 1."""
    return dict(
        Inf=np.inf,
        trapz=getattr(np, 'trapezoid', None) or getattr(np, 'trapz'),
        in1d=_in1d)


class _NumpyWithNumpy1Names(types.ModuleType):
    """numpy's namespace plus the removed numpy 1 names, for one module."""

    def __getattr__(self, name):
        return getattr(np, name)  # names numpy itself loads lazily


def _code_names(code):
    """Every global and attribute name a code object (or nested one) uses."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _resolve(module, dotted):
    """The object ``module.<dotted>``, or None if it no longer exists."""
    obj = module
    for part in dotted.split('.'):
        obj = getattr(obj, part, None)
    return obj


def missing_numpy1_names(module_name, functions):
    """The numpy 1 names the functions use that their module's ``np`` lacks.

    Args:
        module_name (str): An mmaction2 module that imports numpy as ``np``.
        functions (Sequence[str]): Functions in it, e.g. ``'Cls.method'``.

    Returns:
        set[str]: The missing names (empty when nothing is needed).
    """
    try:
        module = importlib.import_module(module_name)
    except ImportError:  # moved or removed upstream: nothing to fix
        return set()
    used = set()
    for dotted in functions:
        code = getattr(_resolve(module, dotted), '__code__', None)
        if code is not None:
            used |= _code_names(code)
    return {
        name
        for name in _numpy1_names()
        if name in used and not hasattr(module.np, name)
    }


def restore_numpy1_names():
    """Give the mmaction2 modules that need them numpy 1's removed names.

    Returns:
        list[str]: ``'module: names'`` for each module that was changed.
    """
    changed = []
    for module_name, functions in NUMPY1_NAME_USERS.items():
        missing = missing_numpy1_names(module_name, functions)
        if not missing:
            continue
        module = importlib.import_module(module_name)
        proxy = _NumpyWithNumpy1Names(np.__name__, np.__doc__)
        proxy.__dict__.update(vars(module.np))
        names = _numpy1_names()
        proxy.__dict__.update({name: names[name] for name in missing})
        module.np = proxy
        changed.append(f'{module_name}: {", ".join(sorted(missing))}')
    return changed


def _numpy1_int(x=0, *args, **kwargs):
    """``int()`` that converts a one-element array like numpy 1 did."""
    if isinstance(x, np.ndarray) and x.ndim > 0 and x.size == 1:
        x = x.reshape(())
    return builtins.int(x, *args, **kwargs)


def multisports_tube_iou_fails():
    """Whether MultiSports' ``iou3dt_voc`` fails on two equal tubes."""
    try:
        module = importlib.import_module(MULTISPORTS_MODULE)
        tube_iou = module.iou3dt_voc
    except (ImportError, AttributeError):  # moved or removed upstream
        return False
    tube = np.array([[1., 0., 0., 4., 4.], [2., 0., 0., 4., 4.]])
    try:
        tube_iou(tube, tube)
    except TypeError:
        return True
    return False


def fix_multisports_scalar_conversion():
    """Let the MultiSports metric's ``int(array)`` calls work on numpy 2.

    ``iou3dt_voc`` slices a tube with ``int(np.where(...)[0])``, a
    one-element array, which numpy 2 refuses; the video mAP then fails.

    Returns:
        bool: True if the module's ``int`` was replaced.
    """
    if not multisports_tube_iou_fails():
        return False
    module = importlib.import_module(MULTISPORTS_MODULE)
    module.int = _numpy1_int
    return True
