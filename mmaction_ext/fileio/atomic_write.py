"""Write a file so that a crash or kill never leaves half of it."""
import contextlib
import os
import os.path as osp
import tempfile
from typing import Any, BinaryIO, Callable


def write_atomically(path: str, write: Callable[[BinaryIO], Any]) -> None:
    """Write a file so that a kill leaves either the old or the new file.

    The data go to a temporary file in the same folder, which is flushed,
    fsynced and then renamed over ``path``; the folder is fsynced too. An
    existing file keeps its permissions, a new one gets those ``open()``
    would give it. Once that succeeded, temporary files of ``path`` that a
    killed writer left behind are removed.

    Args:
        path (str): The file to write; its folder is created.
        write (Callable[[BinaryIO], Any]): Writes the content to the binary
            file object it is given.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    prefix, suffix = f'.{osp.basename(path)}.', '.tmp'
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    os.close(fd)
    try:
        if osp.exists(path):
            mode = os.stat(path).st_mode & 0o777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)  # mkstemp creates 0600 files
        with open(tmp, 'wb') as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    folder_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(folder_fd)
    finally:
        os.close(folder_fd)
    for name in os.listdir(folder):
        if name.startswith(prefix) and name.endswith(suffix):
            with contextlib.suppress(FileNotFoundError):
                os.remove(osp.join(folder, name))
