"""Shared error reporting of the dataset converters in tools/data/."""
from typing import List


class ConversionError(RuntimeError):
    """Raised when some input files are bad and ``skip_bad`` is off."""


def bad_files_report(bad: List[str], limit: int = 20) -> str:
    """Human-readable list of bad input files (at most ``limit`` shown)."""
    lines = [f'{len(bad)} bad file(s) (use --skip-bad to leave them out):']
    lines += [f'  {b}' for b in bad[:limit]]
    if len(bad) > limit:
        lines.append(f'  ... and {len(bad) - limit} more')
    return '\n'.join(lines)
