from typing import Any, Optional, Sequence

import numpy as np
import torch
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric

from ..functional.hhi_pair_ap import hhi_pair_evaluate


def _numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _field(sample: dict, name: str):
    if name not in sample:
        raise KeyError(f'SportsHHIMetric needs {name!r} in every data '
                       f'sample; got fields {sorted(sample)}')
    return sample[name]


@METRICS.register_module()
class SportsHHIMetric(BaseMetric):
    """SportsHHI interaction classification mAP and Recall@K.

    From each data sample: ``pred_instances`` (``p1_bboxes``, ``p2_bboxes``
    normalised, ``scores`` (P, C) softmax with column 0 = background, as
    :class:`~mmaction_ext.models.ProDAHHIDetector` predicts) and the GT
    (``gt_instances.bboxes`` in pixels, ``p1_ids``, ``p2_ids``,
    ``gt_interactions``, ``img_shape``). Single-label as the official
    test: each pair's class is the argmax over columns 1..C-1 and is kept
    when its score exceeds ``score_thr``. Matching and AP:
    :func:`~mmaction_ext.evaluation.functional.hhi_pair_ap.hhi_pair_evaluate`
    (IoU >= ``iou_thr`` on both persons).

    Args:
        iou_thr (float): Defaults to 0.9.
        score_thr (float): Defaults to 0.002.
        recall_at (Sequence[int]): Defaults to (20, 50, 100, 150).
        skip_undetected_classes (bool): The official mean over detected
            classes only. Defaults to False.
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Defaults to None.
    """
    default_prefix: Optional[str] = None

    def __init__(self,
                 iou_thr: float = 0.9,
                 score_thr: float = 0.002,
                 recall_at: Sequence[int] = (20, 50, 100, 150),
                 skip_undetected_classes: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.iou_thr = iou_thr
        self.score_thr = score_thr
        self.recall_at = tuple(recall_at)
        self.skip_undetected_classes = skip_undetected_classes

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            pred = _field(sample, 'pred_instances')
            scores = _numpy(pred['scores'])
            labels = scores[:, 1:].argmax(1) + 1
            best = scores[np.arange(len(scores)), labels]
            keep = best > self.score_thr
            height, width = _field(sample, 'img_shape')
            scale = np.array([width, height, width, height], np.float32)
            boxes = _numpy(_field(sample, 'gt_instances')['bboxes']) / scale
            interactions = _numpy(_field(sample, 'gt_interactions'))
            rows, cols = np.nonzero(interactions[:, 1:])
            self.results.append(
                dict(
                    key=_field(sample, 'img_key'),
                    num_classes=scores.shape[1],
                    det=dict(
                        p1=_numpy(pred['p1_bboxes'])[keep],
                        p2=_numpy(pred['p2_bboxes'])[keep],
                        labels=labels[keep],
                        scores=best[keep]),
                    gt=dict(
                        p1=boxes[_numpy(_field(sample, 'p1_ids'))[rows]],
                        p2=boxes[_numpy(_field(sample, 'p2_ids'))[rows]],
                        labels=cols + 1)))

    def compute_metrics(self, results: list) -> dict:
        detections = {r['key']: r['det'] for r in results}
        groundtruth = {r['key']: r['gt'] for r in results}
        classes = range(1, results[0]['num_classes']) if results else []
        return hhi_pair_evaluate(
            detections,
            groundtruth,
            classes,
            iou_thr=self.iou_thr,
            recall_at=self.recall_at,
            skip_undetected_classes=self.skip_undetected_classes)
