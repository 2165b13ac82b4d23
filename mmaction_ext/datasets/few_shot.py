"""k-shot splits of MMAction2 video lists (``<path> <label>`` lines)."""
from collections import defaultdict
from typing import Dict, List, Sequence

import numpy as np

from ..utils.errors import BadInputError


def parse_video_list(lines: Sequence[str], source: str = 'list') -> Dict:
    """Label -> the list's lines of that label, in file order."""
    by_label = defaultdict(list)
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        fields = line.split()
        try:
            label = int(fields[-1])
        except ValueError:
            label = None
        if len(fields) < 2 or label is None or label < 0:
            raise BadInputError(f'{source}:{number}: expected "<path> '
                                f'<label>" with an integer label, got '
                                f'{line.strip()!r}')
        by_label[label].append(line.rstrip('\n'))
    if not by_label:
        raise BadInputError(f'{source} has no video')
    return by_label


def sample_few_shot(lines: Sequence[str],
                    shots: int,
                    seed: int = 0,
                    source: str = 'list',
                    allow_fewer: bool = False) -> List[str]:
    """``shots`` lines of every label, drawn without replacement.

    The draw depends only on the list, ``shots`` and ``seed``
    (``numpy.random.default_rng(seed)``, labels in ascending order), so
    the same call gives the same split. The result keeps the file order.

    Args:
        lines (list[str]): The video list's lines.
        shots (int): k, samples per class.
        seed (int): Random seed. Defaults to 0.
        source (str): Names the list in errors.
        allow_fewer (bool): Take all samples of a class that has fewer
            than k instead of failing. Defaults to False.

    Returns:
        list[str]: The chosen lines.
    """
    if shots < 1:
        raise BadInputError(f'shots must be >= 1, got {shots}')
    by_label = parse_video_list(lines, source)
    short = {label: len(v) for label, v in by_label.items() if len(v) < shots}
    if short and not allow_fewer:
        raise BadInputError(
            f'{source}: {len(short)} class(es) have fewer than {shots} '
            f'videos (label: count) {dict(sorted(short.items()))}; use '
            'fewer shots or allow fewer')
    rng = np.random.default_rng(seed)
    chosen = set()
    for label in sorted(by_label):
        members = by_label[label]
        picks = rng.choice(
            len(members), min(shots, len(members)), replace=False)
        chosen.update(members[i] for i in picks)
    return [line.rstrip('\n') for line in lines if line.rstrip('\n') in chosen]
