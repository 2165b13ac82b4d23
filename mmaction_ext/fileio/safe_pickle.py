"""Load pickle files that users hand our tools without running their code.

A pickle can name any importable callable and have it called while loading
(``__reduce__``), so a score dump or annotation file from someone else could
run code. :func:`safe_load` unpickles with an allow-list of the plain-data
globals these files hold: builtin containers and scalars, numpy arrays,
dtypes and scalars, and torch tensors (their storages are read with
``torch.load(weights_only=True)``). Any other global is refused with
:class:`UnsafePickleError`, naming the file and the global.
"""
import _compat_pickle
import io
import pickle
from typing import Any, Callable

import numpy as np

from ..utils.errors import CorruptFileError, UserInputError


class UnsafePickleError(UserInputError, pickle.UnpicklingError):
    """A pickle names a global outside the plain-data allow-list."""


def _load_tensor_storage(data: bytes):
    """``torch.storage._load_from_bytes`` with ``weights_only=True``."""
    import torch
    return torch.load(io.BytesIO(data), weights_only=True)


def _numpy_globals() -> dict:
    allowed = {('numpy', 'dtype'): np.dtype, ('numpy', 'ndarray'): np.ndarray}
    for core in ('numpy._core', 'numpy.core'):
        allowed[(f'{core}.multiarray',
                 '_reconstruct')] = _np_attr('multiarray', '_reconstruct')
        allowed[(f'{core}.multiarray',
                 'scalar')] = _np_attr('multiarray', 'scalar')
        allowed[(f'{core}.numeric',
                 '_frombuffer')] = _np_attr('numeric', '_frombuffer')
    # numpy >= 1.25 pickles dtypes by class, e.g. numpy.dtypes.Float32DType
    for code in '?' + np.typecodes['All']:
        dtype_cls = type(np.dtype(code))
        allowed[(dtype_cls.__module__, dtype_cls.__name__)] = dtype_cls
    return allowed


def _np_attr(module: str, name: str) -> Callable:
    core = getattr(np, '_core', None) or np.core
    return getattr(getattr(core, module), name)


def _torch_globals() -> dict:
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a requirement
        return {}
    allowed = {
        ('torch._utils', '_rebuild_tensor_v2'):
        torch._utils._rebuild_tensor_v2,
        ('torch.storage', '_load_from_bytes'): _load_tensor_storage,
        ('torch', 'Size'): torch.Size,
    }
    for name in dir(torch):
        if isinstance(getattr(torch, name, None), torch.dtype):
            allowed[('torch', name)] = getattr(torch, name)
    return allowed


def _builtin_globals() -> dict:
    import codecs
    import collections
    allowed = {
        ('builtins', t.__name__): t
        for t in (set, frozenset, complex, slice, range, bytearray, int, float,
                  bool, str, bytes, list, tuple, dict)
    }
    allowed[('collections', 'OrderedDict')] = collections.OrderedDict
    # numpy arrays pickled with protocol 2 carry their bytes as latin1 text
    allowed[('_codecs', 'encode')] = codecs.encode
    allowed[('codecs', 'encode')] = codecs.encode
    return allowed


_ALLOWED = None


def allowed_globals() -> dict:
    """``{(module, name): object}`` of every global a safe pickle may use."""
    global _ALLOWED
    if _ALLOWED is None:
        _ALLOWED = {
            **_builtin_globals(),
            **_numpy_globals(),
            **_torch_globals()
        }
    return _ALLOWED


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only :func:`allowed_globals`.

    Args:
        file: A binary file object.
        name (str): The file's name, for error messages.
    """

    def __init__(self, file, name: str = '<pickle>') -> None:
        super().__init__(file)
        self.name = name

    def find_class(self, module: str, name: str) -> Any:
        # Python 2 names (protocols < 3), mapped as pickle.Unpickler does
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        found = allowed_globals().get((module, name))
        if found is None:
            raise UnsafePickleError(
                f'{self.name}: refused to load `{module}.{name}` from this '
                'pickle; it may run code, and only numpy arrays, torch '
                'tensors and builtin containers are allowed. Re-create the '
                'file with our tools, or check it with a trusted reader.')
        return found

    def persistent_load(self, pid):
        raise UnsafePickleError(
            f'{self.name}: refused a persistent id {pid!r}; this is not a '
            'plain data pickle')


def safe_load(path: str) -> Any:
    """Unpickle ``path`` with :class:`RestrictedUnpickler`.

    Args:
        path (str): A pickle file (``.pkl``).

    Returns:
        The unpickled object.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        UnsafePickleError: If the pickle names a global outside the
            allow-list (nothing of it is run).
        CorruptFileError: If the file is truncated or not a pickle.
    """
    with open(path, 'rb') as f:
        try:
            return RestrictedUnpickler(f, str(path)).load()
        except UnsafePickleError:
            raise
        except (EOFError, pickle.UnpicklingError, ValueError, TypeError,
                IndexError, KeyError, AttributeError, RuntimeError) as err:
            raise CorruptFileError(
                f'{path}: truncated or not a pickle file ({err}); re-create '
                'or re-download it') from None


def safe_load_npy(path: str) -> np.ndarray:
    """``np.load`` of an ``.npy`` file; object arrays via the allow-list.

    An object array (e.g. one pose array per sequence of different
    lengths) is stored as a pickle inside the ``.npy``; it is read with
    :class:`RestrictedUnpickler` instead of ``allow_pickle=True``.

    Args:
        path (str): An ``.npy`` file.

    Returns:
        np.ndarray: The array.

    Raises:
        UnsafePickleError: If an object array names a refused global.
        CorruptFileError: If the file is not a complete ``.npy``.
    """
    fmt = np.lib.format
    with open(path, 'rb') as f:
        try:
            version = fmt.read_magic(f)
            read_header = fmt.read_array_header_1_0 if version == (
                1, 0) else fmt.read_array_header_2_0
            shape, _, dtype = read_header(f)
            if not dtype.hasobject:
                f.seek(0)
                return np.load(f, allow_pickle=False)
            array = RestrictedUnpickler(f, str(path)).load()
        except UnsafePickleError:
            raise
        except (EOFError, pickle.UnpicklingError, ValueError, TypeError,
                OSError) as err:
            raise CorruptFileError(f'{path}: truncated or not an .npy file '
                                   f'({err})') from None
    if not isinstance(array, np.ndarray) or array.shape != shape:
        raise CorruptFileError(f'{path}: the stored array does not match '
                               f'its header shape {shape}')
    return array
