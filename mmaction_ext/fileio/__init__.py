from .safe_pickle import (CorruptFileError, RestrictedUnpickler,
                          UnsafePickleError, safe_load)

__all__ = [
    'CorruptFileError', 'RestrictedUnpickler', 'UnsafePickleError', 'safe_load'
]
