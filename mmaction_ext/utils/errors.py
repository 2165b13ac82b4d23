"""Errors that a user can fix: tools report them in one message.

:func:`mmaction_ext.utils.run_tool` prints these without a traceback.
Each also derives from the built-in type code already expects (e.g.
``ValueError``), so ``except ValueError`` keeps catching them.
"""


class UserInputError(Exception):
    """A file, sample or argument the user gave is unusable."""


class BadInputError(UserInputError, ValueError):
    """An input file or sample has wrong contents."""


class UnknownNameError(UserInputError, KeyError):
    """A name (split, class, key) the user asked for does not exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ''


class CorruptFileError(UserInputError, ValueError):
    """A file is truncated or not in the expected format."""


class CheckpointMismatchError(UserInputError, RuntimeError):
    """A checkpoint does not fit the model it is loaded into."""
