"""Workarounds for torch >= 2.6 loading MMEngine checkpoints."""


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
