from collections import OrderedDict
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from mmaction.registry import METRICS
from ..functional import (edit_score, f1_score, frame_accuracy,
                          refine_with_boundaries)


def _to_numpy(value) -> np.ndarray:
    """Convert a tensor or array-like to a numpy array."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _field(data_sample, name: str, required: bool = True):
    """Read ``name`` from a dict or a ``BaseDataElement``."""
    value = data_sample.get(name, None)
    if value is None and required:
        raise KeyError(f'SegmentationMetric needs {name!r} in every data '
                       f'sample; got fields {list(data_sample.keys())}')
    return value


@METRICS.register_module()
class SegmentationMetric(BaseMetric):
    """Temporal action segmentation metrics: frame accuracy, Edit, F1@k.

    Each data sample must carry, cut to the sequence's real length:
    ``gt_frame_labels`` (T, ) int, ``pred_frame_scores`` (C, T) class
    scores and, for ``use_boundary_refinement``, ``pred_boundary_logits``
    (T, ). The predicted labels are the argmax of the scores, or their
    boundary refinement when it is enabled and the sample has boundary
    logits (samples without them fall back to the argmax).

    Reported keys (percent): ``Acc``, ``Edit`` and ``F1@{100 k}`` for each
    overlap ``k``, e.g. ``F1@10``, ``F1@25``, ``F1@50``. See
    :mod:`mmaction_ext.evaluation.functional.segmentation` for the
    conventions.

    Args:
        overlaps (Sequence[float]): IoU thresholds of the F1 scores, as
            fractions. Defaults to (0.1, 0.25, 0.5).
        bg_class (int | Sequence[int]): Classes left out of the segments
            for Edit and F1 (not for accuracy). Defaults to ().
        ignore_index (int): Ground-truth label of excluded frames.
            Defaults to 255.
        use_boundary_refinement (bool): Relabel the predictions with
            :func:`refine_with_boundaries`. Defaults to False.
        boundary_threshold (float): Boundary probability threshold of the
            refinement. Defaults to 0.5.
        collect_device (str): Device to collect results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
            Defaults to None.
    """
    default_prefix: Optional[str] = None

    def __init__(self,
                 overlaps: Sequence[float] = (0.1, 0.25, 0.5),
                 bg_class: Union[int, Sequence[int]] = (),
                 ignore_index: int = 255,
                 use_boundary_refinement: bool = False,
                 boundary_threshold: float = 0.5,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        for overlap in overlaps:
            if not 0 < overlap <= 1:
                raise ValueError('overlaps are fractions in (0, 1], got '
                                 f'{overlap}')
        if isinstance(bg_class, int):
            bg_class = (bg_class, )
        self.overlaps = tuple(float(k) for k in overlaps)
        self.bg_class = tuple(int(c) for c in bg_class)
        self.ignore_index = ignore_index
        self.use_boundary_refinement = use_boundary_refinement
        self.boundary_threshold = boundary_threshold

    def _predict(self, data_sample) -> np.ndarray:
        """Frame labels (T, ) predicted for one data sample."""
        scores = _to_numpy(_field(data_sample, 'pred_frame_scores'))
        boundary = _field(data_sample, 'pred_boundary_logits', False)
        if self.use_boundary_refinement and boundary is not None:
            return refine_with_boundaries(scores, _to_numpy(boundary),
                                          self.boundary_threshold)
        return scores.argmax(axis=0)

    def process(self, data_batch: Any, data_samples: Sequence) -> None:
        """Collect the predicted and ground-truth labels of a batch.

        Args:
            data_batch (Any): A batch from the dataloader (unused).
            data_samples (Sequence[dict | BaseDataElement]): Model outputs.
        """
        for data_sample in data_samples:
            gt = _to_numpy(_field(data_sample, 'gt_frame_labels'))
            self.results.append(
                dict(pred=self._predict(data_sample), gt=gt.reshape(-1)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Compute the metrics from the collected results.

        Args:
            results (list[dict]): ``dict(pred=..., gt=...)`` per sequence.

        Returns:
            dict[str, float]: ``Acc``, ``Edit`` and ``F1@k`` in percent.
        """
        preds = [result['pred'] for result in results]
        gts = [result['gt'] for result in results]
        metrics = OrderedDict()
        metrics['Acc'] = frame_accuracy(preds, gts, self.ignore_index)
        metrics['Edit'] = edit_score(preds, gts, self.bg_class,
                                     self.ignore_index)
        for overlap in self.overlaps:
            metrics[f'F1@{overlap * 100:g}'] = f1_score(
                preds, gts, overlap, self.bg_class, self.ignore_index)
        return metrics
