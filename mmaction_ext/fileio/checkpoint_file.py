"""Local checkpoint loading that names the file when it cannot be read."""
import pickle
import zipfile

from ..utils.errors import CorruptFileError
from .safe_pickle import UnsafePickleError


def _describe_refusal(filename: str, err: Exception) -> Exception:
    first_line = str(err).strip().splitlines()[0] if str(err) else ''
    if 'Weights only load failed' in str(err):
        return UnsafePickleError(
            f'{filename}: refused to load this checkpoint, it holds objects '
            f'other than weights and plain data ({first_line}). Load only '
            'checkpoints you trust.')
    return CorruptFileError(
        f'{filename}: truncated or not a checkpoint ({type(err).__name__}: '
        f'{first_line}); re-create or re-download it')


def guard_local_checkpoint_loading() -> bool:
    """Make MMEngine's local checkpoint loader name a bad file.

    ``torch.load`` of a truncated or foreign file raises e.g. ``RuntimeError:
    PytorchStreamReader failed reading zip archive`` without the path. We
    re-register MMEngine's local scheme with a wrapper that raises
    :class:`CorruptFileError` (or :class:`UnsafePickleError`) naming the
    file. It is used for ``load_from``, ``resume`` and ``tools/test.py``.

    Returns:
        bool: True if the wrapper was installed (False if already).
    """
    from mmengine.runner.checkpoint import CheckpointLoader
    original = CheckpointLoader._schemes.get('')
    if original is None or getattr(original, 'names_bad_files', False):
        return False

    def load_from_local(filename, map_location):
        try:
            return original(filename, map_location)
        except (RuntimeError, EOFError, pickle.UnpicklingError,
                zipfile.BadZipFile, ValueError) as err:
            raise _describe_refusal(filename, err) from None

    load_from_local.names_bad_files = True
    CheckpointLoader.register_scheme('', load_from_local, force=True)
    return True
