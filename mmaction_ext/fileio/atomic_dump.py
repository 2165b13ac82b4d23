"""Write a file so that a crash or kill never leaves half of it."""
import os
import os.path as osp
import tempfile
from typing import Any

import mmengine


def atomic_dump(obj: Any, path: str, file_format: str = 'pkl') -> None:
    """``mmengine.dump`` to a temporary file beside ``path``, then rename.

    The temporary file is flushed to disk before it replaces ``path``, so
    ``path`` is either the old file or the complete new one.

    Args:
        obj: What to write.
        path (str): The destination; its folder is created.
        file_format (str): An ``mmengine.dump`` format. Defaults to 'pkl'.
    """
    folder = osp.dirname(osp.abspath(path))
    mmengine.mkdir_or_exist(folder)
    fd, tmp = tempfile.mkstemp(
        dir=folder, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb' if file_format == 'pkl' else 'w') as f:
            mmengine.dump(obj, f, file_format=file_format)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
