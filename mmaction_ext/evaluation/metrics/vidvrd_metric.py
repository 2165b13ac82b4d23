from collections import OrderedDict
from typing import Any, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmaction.registry import METRICS
from mmaction_ext.datasets.vidvrd_classes import load_vocabulary
from mmaction_ext.datasets.vidvrd_relations import check_relation
from ..functional.vidvrd import evaluate_relations, filter_relations


def _field(data_sample, name: str):
    value = data_sample.get(name, None)
    if value is None:
        raise KeyError(f'VidVRDMetric needs {name!r} in every data sample; '
                       f'got fields {list(data_sample.keys())}')
    return value


@METRICS.register_module()
class VidVRDMetric(BaseMetric):
    """Video relation detection mAP / Recall@K and tagging Precision@K.

    The VidVRD protocol of
    :func:`mmaction_ext.evaluation.functional.vidvrd.evaluate_relations`
    on video-level relations. Each data sample carries ``video_id`` (str),
    ``gt_relations`` and ``pred_relations``: lists of dicts with
    ``triplet`` (subject, predicate, object), ``duration`` (begin, end
    exclusive), ``sub_traj`` / ``obj_traj`` (end - begin, 4) inclusive
    pixel boxes and, for predictions, ``score``.

    With ``split='novel'`` (or ``'base'``) both GT and predictions keep only
    relations with a novel (base) predicate, all objects kept (OV-MMP's
    filtering, RePro's "TaPn" setting); videos left without GT are skipped.

    Reported keys (fractions): ``mAP``, ``R@{k}`` for ``recall_k``,
    ``P@{k}`` for ``precision_k``.

    Args:
        dataset (str): 'vidvrd' or 'vidor', the vocabulary checked and
            split. Defaults to 'vidvrd'.
        split (str): 'all', 'novel' or 'base'. Defaults to 'all'.
        viou_threshold (float): Matching vIoU. Defaults to 0.5.
        recall_k (Sequence[int]): Defaults to (50, 100).
        precision_k (Sequence[int]): Defaults to (1, 5, 10).
        collect_device (str): 'cpu' or 'gpu'. Defaults to 'cpu'.
        prefix (str, optional): Prefix of the metric names.
            Defaults to None.
    """
    default_prefix: Optional[str] = None

    def __init__(self,
                 dataset: str = 'vidvrd',
                 split: str = 'all',
                 viou_threshold: float = 0.5,
                 recall_k: Sequence[int] = (50, 100),
                 precision_k: Sequence[int] = (1, 5, 10),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not 0 < viou_threshold <= 1:
            raise ValueError(f'viou_threshold must be in (0, 1], got '
                             f'{viou_threshold}')
        self.vocabulary = load_vocabulary(dataset)
        self.objects, self.predicates = self.vocabulary.eval_classes(split)
        self.split = split
        self.viou_threshold = viou_threshold
        self.recall_k = tuple(recall_k)
        self.precision_k = tuple(precision_k)

    def process(self, data_batch: Any, data_samples: Sequence) -> None:
        """Check and store the relations of each video of the batch."""
        for sample in data_samples:
            vid = str(_field(sample, 'video_id'))
            relations = []
            for key, scored in (('gt_relations', False), ('pred_relations',
                                                          True)):
                relations.append([
                    check_relation(rel, f'video {vid!r}: {key}[{i}]', scored,
                                   self.vocabulary)
                    for i, rel in enumerate(_field(sample, key))
                ])
            self.results.append((vid, *relations))

    def compute_metrics(self, results: List) -> dict:
        """Metrics over all videos; a video seen twice is an error."""
        gts, preds = {}, {}
        for vid, gt, pred in results:
            if vid in gts:
                raise ValueError(f'VidVRDMetric got video {vid!r} twice')
            gts[vid], preds[vid] = gt, pred
        scores = self._score(gts, preds)
        MMLogger.get_current_instance().info(
            f'VidVRDMetric ({self.split}): {scores["num_videos"]} videos '
            f'with {scores["num_gt"]} GT relations')
        return self._metric_values(scores)

    def _score(self, gts: dict, preds: dict) -> dict:
        """:func:`evaluate_relations` on the split's classes (video id ->
        relations in both dicts)."""
        if self.split != 'all':
            gts = filter_relations(gts, self.objects, self.predicates)
            preds = filter_relations(preds, self.objects, self.predicates)
        return evaluate_relations(gts, preds, self.viou_threshold,
                                  self.recall_k, self.precision_k)

    def _metric_values(self, scores: dict) -> OrderedDict:
        """mAP, R@k and P@k of :meth:`_score`'s result, in that order."""
        keys = ['mAP'] + [f'R@{k}' for k in self.recall_k] + \
            [f'P@{k}' for k in self.precision_k]
        return OrderedDict((key, scores[key]) for key in keys)
