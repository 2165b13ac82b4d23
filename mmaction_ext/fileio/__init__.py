from .atomic_dump import atomic_dump
from .checkpoint_file import guard_local_checkpoint_loading
from .safe_pickle import (CorruptFileError, RestrictedUnpickler,
                          UnsafePickleError, safe_load, safe_load_npy)

__all__ = [
    'atomic_dump', 'guard_local_checkpoint_loading', 'CorruptFileError',
    'RestrictedUnpickler', 'UnsafePickleError', 'safe_load', 'safe_load_npy'
]
