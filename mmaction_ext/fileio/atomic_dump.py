"""Write a file so that a crash or kill never leaves half of it."""
from typing import Any

import mmengine

from .atomic_write import write_atomically


def atomic_dump(obj: Any, path: str, file_format: str = 'pkl') -> None:
    """``mmengine.dump`` to a temporary file beside ``path``, then rename.

    The temporary file is flushed to disk before it replaces ``path``, so
    ``path`` is either the old file or the complete new one.

    Args:
        obj: What to write.
        path (str): The destination; its folder is created.
        file_format (str): An ``mmengine.dump`` format. Defaults to 'pkl'.
    """
    data = mmengine.dump(obj, file_format=file_format)
    if isinstance(data, str):
        data = data.encode('utf-8')
    write_atomically(path, lambda f: f.write(data))
