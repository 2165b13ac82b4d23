"""One exit path for our command line tools."""
import os
import sys
from typing import Callable, Optional

from .errors import UserInputError

# Set to 1 to see the traceback of an expected user error too.
TRACEBACK_ENV = 'MMACTION_EXT_TRACEBACK'


def run_tool(main: Callable[[], Optional[int]]) -> int:
    """Run a tool's ``main``; a user error exits 1 with its message only.

    Errors the user can fix (:class:`UserInputError`, a missing file) are
    printed as ``error: <message>`` on stderr without a traceback; any
    other exception still shows its traceback, since it is a bug.

    Args:
        main (callable): The tool's entry point; returns an exit status or
            None (0).

    Returns:
        int: The exit status for ``sys.exit``.
    """
    try:
        return main() or 0
    except (UserInputError, FileNotFoundError) as err:
        if os.environ.get(TRACEBACK_ENV) == '1':
            raise
        message = str(err) if not isinstance(err, KeyError) else err.args[0]
        print(f'error: {message}', file=sys.stderr)
        return 1
