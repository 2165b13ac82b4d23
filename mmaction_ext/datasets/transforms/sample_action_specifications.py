from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

PROTOCOLS = ('recipe', 'partition', 'all', 'gt_recipe')


def is_multi_hot(label: np.ndarray, num_classes: int) -> bool:
    """Whether a flat label array is a multi-hot vector, not class ids.

    C ids of distinct classes are a permutation of 0 .. C-1, so a length-C
    array of zeros and ones is a multi-hot vector whenever C > 2.
    """
    return label.size == num_classes and num_classes > 2 and bool(
        np.isin(label, (0, 1)).all())


@TRANSFORMS.register_module()
class SampleActionSpecifications(BaseTransform):
    """Action specifications (SAPs) for ProDA, per video.

    A specification is a multi-hot vector over the ``num_classes`` action
    classes: the Specified Action Prompt (SAP). Its complement is the
    Unspecified Action Prompt (UAP); the model derives it and the branch
    targets (with the "no-action" target) from the SAP and ``gt_label``.

    Protocols:

    - ``'recipe'`` (training): the paper's Appendix C recipe. For a video
      with L labels: ``min(L, K) + 1`` distractor-injected SAPs, the i-th
      holding i present and ``K - i`` absent labels (i = 0 .. min(L, K); the
      paper has i <= L and never says what happens when L > K, so i stops
      at K), and L non-distractor SAPs, the i-th holding i present labels
      (i = 1 .. L). Labels are drawn without replacement; ``max_specs``
      subsamples the 2L+1 (or fewer) SAPs to bound memory.
    - ``'partition'`` (evaluation, default there): no ground truth is used.
      A fixed permutation of the classes (``partition_seed``) is cut into
      ``ceil(num_classes / K)`` groups of K classes; each group is one SAP,
      so every class is specified exactly once and every SAP has the
      training length K. a_t is averaged over the groups.
    - ``'all'`` (evaluation): one SAP holding every class (UAP empty).
    - ``'gt_recipe'``: the training recipe at evaluation, for the analyses
      of a_s by label count and of localization (paper Tables 6-9). It
      reads the ground truth, so a_t must not be reported from it. (The
      official SportsHHI code draws its validation tokens from lists built
      with the labels; our recognition protocols above do not.)

    Randomness: the transform owns a ``numpy.random.Generator`` created at
    its first call from ``seed`` (or, when ``seed`` is None, from
    ``torch.initial_seed()``, which MMEngine's DataLoader derives from the
    global ``randomness.seed`` and the worker id), plus the worker id, so a
    run with a fixed global seed draws the same specifications, and workers
    do not repeat each other.

    Required keys: ``label`` (class ids, or a multi-hot of length C).
    Added keys: ``action_specs`` bool (S, C); ``spec_num_present`` int64
    (S, ) (true actions in each SAP); ``spec_distractor`` bool (S, ).

    Args:
        num_classes (int): C. Defaults to 157 (Charades).
        spec_len (int): K, hot elements of a distractor-injected SAP.
            Defaults to 16.
        protocol (str): One of ``'recipe'``, ``'partition'``, ``'all'``,
            ``'gt_recipe'``. Defaults to ``'recipe'``.
        max_specs (int, optional): Keep at most this many SAPs of the
            recipe per video (random subset). Defaults to None (all).
        use_distractors (bool): Include distractor-injected SAPs. Defaults
            to True.
        use_clean (bool): Include non-distractor SAPs. Defaults to True.
        seed (int, optional): Seed of the transform's generator. Defaults
            to None (from ``torch.initial_seed()``).
        partition_seed (int): Seed of the class permutation of
            ``'partition'``. Defaults to 0.
    """

    def __init__(self,
                 num_classes: int = 157,
                 spec_len: int = 16,
                 protocol: str = 'recipe',
                 max_specs: Optional[int] = None,
                 use_distractors: bool = True,
                 use_clean: bool = True,
                 seed: Optional[int] = None,
                 partition_seed: int = 0) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(
                f'protocol must be one of {PROTOCOLS}, got {protocol!r}')
        if not 0 < spec_len <= num_classes:
            raise ValueError(f'spec_len must be in [1, num_classes='
                             f'{num_classes}], got {spec_len}')
        if max_specs is not None and max_specs < 1:
            raise ValueError(f'max_specs must be >= 1, got {max_specs}')
        if not (use_distractors or use_clean):
            raise ValueError('use_distractors and use_clean are both False: '
                             'no specification could be drawn')
        self.num_classes = num_classes
        self.spec_len = spec_len
        self.protocol = protocol
        self.max_specs = max_specs
        self.use_distractors = use_distractors
        self.use_clean = use_clean
        self.seed = seed
        self.partition_seed = partition_seed
        self._rng = None

    @property
    def rng(self) -> np.random.Generator:
        if self._rng is None:
            info = torch.utils.data.get_worker_info()
            worker = 0 if info is None else info.id
            base = torch.initial_seed() if self.seed is None else self.seed
            self._rng = np.random.default_rng([base % 2**63, worker])
        return self._rng

    def _labels(self, results: Dict) -> np.ndarray:
        raw = np.asarray(results['label']).ravel()
        if is_multi_hot(raw, self.num_classes):
            raw = np.flatnonzero(raw > 0)
        labels = np.unique(raw.astype(np.int64))
        bad = labels[(labels < 0) | (labels >= self.num_classes)]
        if len(bad):
            raise ValueError(
                f'video {results.get("video_id", "?")}: label ids '
                f'{bad.tolist()} outside [0, {self.num_classes})')
        return labels

    def recipe(self, labels: np.ndarray) -> List[Tuple[np.ndarray, bool]]:
        """Appendix C: (class ids, distractor-injected) per SAP."""
        rng, k = self.rng, self.spec_len
        absent = np.setdiff1d(np.arange(self.num_classes), labels)
        specs = []
        if self.use_distractors:
            for i in range(min(len(labels), k) + 1):
                n_absent = min(k - i, len(absent))
                specs.append((np.concatenate([
                    rng.choice(labels, i, replace=False),
                    rng.choice(absent, n_absent, replace=False)
                ]), True))
        if self.use_clean:
            for i in range(1, len(labels) + 1):
                specs.append((rng.choice(labels, i, replace=False), False))
        if self.max_specs is not None and len(specs) > self.max_specs:
            keep = np.sort(rng.choice(len(specs), self.max_specs, False))
            specs = [specs[i] for i in keep]
        return specs

    def partition(self) -> List[np.ndarray]:
        order = np.random.RandomState(self.partition_seed).permutation(
            self.num_classes)
        return [
            order[i:i + self.spec_len]
            for i in range(0, self.num_classes, self.spec_len)
        ]

    def transform(self, results: Dict) -> Dict:
        labels = self._labels(results)
        if self.protocol in ('recipe', 'gt_recipe'):
            drawn = self.recipe(labels)
        elif self.protocol == 'partition':
            drawn = [(ids, False) for ids in self.partition()]
        else:
            drawn = [(np.arange(self.num_classes), False)]
        specs = np.zeros((len(drawn), self.num_classes), bool)
        for row, (ids, _) in enumerate(drawn):
            specs[row, ids] = True
        results['action_specs'] = specs
        results['spec_num_present'] = specs[:, labels].sum(1).astype(np.int64)
        results['spec_distractor'] = np.array([d for _, d in drawn], bool)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_classes={self.num_classes}, '
                f'spec_len={self.spec_len}, protocol={self.protocol!r}, '
                f'max_specs={self.max_specs}, seed={self.seed})')


def specification_targets(
        specs: torch.Tensor,
        labels: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Targets of the SAP and UAP branches, with "no-action" last.

    Args:
        specs (Tensor): SAPs, bool (S, C).
        labels (Tensor): Multi-hot video labels (S, C), one row per SAP.

    Returns:
        tuple[Tensor, Tensor]: ``y_s`` and ``y_u``, float (S, C + 1); column
        C is 1 where the branch holds no true action.
    """
    labels = labels.float()
    y_s = labels * specs.float()
    y_u = labels * (~specs).float()
    return tuple(
        torch.cat([y, (y.sum(1, keepdim=True) == 0).float()], 1)
        for y in (y_s, y_u))
