"""Action specifications (SAP tokens) for ProDA's SportsHHI variant.

A specification of a keyframe is a multi-hot ``token`` over the SportsHHI
class ids (length 35, ids 0..34 as the public ProDA code) naming the
"specified" interactions; ``1 - token`` is the unspecified complement. The
GT classes of the keyframe inside the token are ``val``, those outside are
``inv``. Per pair, ``branch_targets`` gives the targets of the two branch
classifiers with column 0 = "no action in this branch".

The public code reads pre-built ``{train,val}.json`` files (not released)
and uses the same procedure for validation, so the evaluated specification
may be built from the validation GT. Here training specifications are
sampled from the keyframe's GT after ProDA's Appendix C, and evaluation
uses a fixed specification that never looks at the GT:

- ``'all'``: every interaction class is specified (the complement is
  empty);
- ``'fixed_random'``: ``num_specified`` classes drawn with a seed from the
  keyframe key only.
"""
import zlib
from typing import List, Sequence, Tuple

import numpy as np

EVAL_MODES = ('all', 'fixed_random')


def branch_targets(interactions: np.ndarray, val: Sequence[int],
                   inv: Sequence[int]) -> Tuple[np.ndarray, np.ndarray]:
    """Specified (c) and unspecified (p) branch targets of each pair.

    As the public ProDA dataset: for the first class of ``val`` the pair
    has, ``c[class] = 1`` and ``p[0] = 1``; for the first class of ``inv``
    it has, ``c[0] = 1`` and ``p[class] = 1`` (a pair with classes on both
    sides gets both, so a row may sum to 2).

    Args:
        interactions (np.ndarray): GT multi-hot per pair (N, C), column 0 =
            background.
        val (Sequence[int]): GT columns inside the specification.
        inv (Sequence[int]): GT columns outside it.

    Returns:
        tuple[np.ndarray, np.ndarray]: c and p, both (N, C) float32.
    """
    c = np.zeros_like(interactions, dtype=np.float32)
    p = np.zeros_like(interactions, dtype=np.float32)
    for row, pair in enumerate(interactions):
        hit = next((col for col in val if pair[col] > 0), None)
        if hit is not None:
            c[row, hit], p[row, 0] = 1., 1.
        hit = next((col for col in inv if pair[col] > 0), None)
        if hit is not None:
            c[row, 0], p[row, hit] = 1., 1.
    return c, p


def sample_specified_columns(present: Sequence[int], candidates: Sequence[int],
                             num_specified: int,
                             rng: np.random.RandomState) -> List[int]:
    """Columns of one training specification (ProDA Appendix C).

    With L present GT columns, one of the 2L + 1 specifications is drawn
    uniformly: a distractor-injected one with i in 0..L present columns
    and ``num_specified - i`` absent ones, or a non-distractor one with
    j in 1..L present columns only.

    Args:
        present (Sequence[int]): GT columns of the keyframe.
        candidates (Sequence[int]): All class columns that may be specified.
        num_specified (int): K of the distractor-injected specifications.
        rng (np.random.RandomState): Random source.
    """
    present = sorted(set(present))
    absent = [col for col in candidates if col not in present]
    kind = rng.randint(2 * len(present) + 1)
    if kind <= len(present):
        num_present = kind
        num_absent = min(max(num_specified - kind, 0), len(absent))
    else:
        num_present, num_absent = kind - len(present), 0
    chosen = list(rng.choice(present, num_present, replace=False)) + list(
        rng.choice(absent, num_absent, replace=False))
    return sorted(int(col) for col in chosen)


def eval_specified_columns(img_key: str, candidates: Sequence[int], mode: str,
                           num_specified: int, seed: int) -> List[int]:
    """The fixed evaluation specification of a keyframe (no GT used)."""
    if mode == 'all':
        return list(candidates)
    if mode == 'fixed_random':
        rng = np.random.RandomState(
            (seed + zlib.crc32(img_key.encode())) % 2**32)
        count = min(num_specified, len(candidates))
        return sorted(
            int(c) for c in rng.choice(candidates, count, replace=False))
    raise ValueError(f'eval specification mode must be one of {EVAL_MODES}, '
                     f'got {mode!r}')


def split_gt(present: Sequence[int],
             specified: Sequence[int]) -> Tuple[List[int], List[int]]:
    """``val`` (GT columns specified) and ``inv`` (GT columns not)."""
    specified = set(specified)
    val = [col for col in sorted(set(present)) if col in specified]
    inv = [col for col in sorted(set(present)) if col not in specified]
    return val, inv
