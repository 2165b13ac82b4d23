from collections import defaultdict
from typing import Any, Dict, List, Optional, Sequence

from mmengine.logging import MMLogger

from mmaction.registry import METRICS
from mmaction_ext.datasets.vidvrd_relations import (check_relation,
                                                    load_groundtruth)
from ..functional.vidvrd_association import greedy_relation_association
from .vidvrd_metric import VidVRDMetric


@METRICS.register_module()
class VidVRDSegmentMetric(VidVRDMetric):
    """VidVRD metrics of segment predictions, associated per video.

    Each data sample is one segment of a video: ``video_id``, ``segment``
    (begin, end exclusive) and ``pred_relations`` (the segment's scored
    relations in the prediction format, e.g. from :class:`SAGEDetector`).
    The segments of each video are joined by
    :func:`greedy_relation_association` (VidVRD-II / RePro) into video
    relations, scored as :class:`VidVRDMetric` does against the ground
    truth: the ``gt_relations`` that one sample of each video carries (as
    :class:`VidVRDSegmentDataset` puts them on a video's first segment in
    test mode), or the consolidated ``ann_file`` (``{video_id:
    [relations]}``), every video of which counts (AP 0 without
    predictions).

    Args:
        ann_file (str, optional): Consolidated ground-truth JSON; None takes
            the ground truth from the samples. Defaults to None.
        dataset (str): 'vidvrd' or 'vidor'. Defaults to 'vidvrd'.
        split (str): 'all', 'novel' or 'base'. Defaults to 'all'.
        association (dict, optional): Keyword arguments of
            :func:`greedy_relation_association` (``inference_topk``,
            ``linkage_threshold``, ``temporal_tolerance``,
            ``association_topk``). Defaults to its defaults.
        viou_threshold (float): Matching vIoU. Defaults to 0.5.
        recall_k (Sequence[int]): Defaults to (50, 100).
        precision_k (Sequence[int]): Defaults to (1, 5, 10).
        collect_device (str): 'cpu' or 'gpu'. Defaults to 'cpu'.
        prefix (str, optional): Prefix of the metric names.
    """

    def __init__(self,
                 ann_file: Optional[str] = None,
                 dataset: str = 'vidvrd',
                 split: str = 'all',
                 association: Optional[Dict] = None,
                 viou_threshold: float = 0.5,
                 recall_k: Sequence[int] = (50, 100),
                 precision_k: Sequence[int] = (1, 5, 10),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(
            dataset=dataset,
            split=split,
            viou_threshold=viou_threshold,
            recall_k=recall_k,
            precision_k=precision_k,
            collect_device=collect_device,
            prefix=prefix)
        self.ann_file = ann_file
        self.association = dict(association or {})

    def process(self, data_batch: Any, data_samples: Sequence) -> None:
        """Check and store each segment's relations."""
        for sample in data_samples:
            vid, segment = (
                _field(sample, key) for key in ('video_id', 'segment'))
            vid = str(vid)
            begin, end = (int(v) for v in segment)
            relations = [
                check_relation(
                    rel, f'video {vid!r} segment {begin}-{end}: '
                    f'pred_relations[{i}]', True, self.vocabulary)
                for i, rel in enumerate(_field(sample, 'pred_relations'))
            ]
            gt = sample.get('gt_relations', None)
            if gt is not None:
                gt = [
                    check_relation(rel, f'video {vid!r}: gt_relations[{i}]',
                                   False, self.vocabulary)
                    for i, rel in enumerate(gt)
                ]
            self.results.append((vid, (begin, end), relations, gt))

    def compute_metrics(self, results: List) -> dict:
        """Associate each video's segments, then score all GT videos."""
        segments: Dict[str, Dict] = defaultdict(dict)
        sample_gts: Dict[str, List] = {}
        for vid, segment, relations, gt in results:
            if segment in segments[vid]:
                raise ValueError(f'VidVRDSegmentMetric got segment {segment} '
                                 f'of video {vid!r} twice')
            segments[vid][segment] = relations
            if gt is not None:
                if vid in sample_gts:
                    raise ValueError(f'two samples of video {vid!r} carry '
                                     'gt_relations')
                sample_gts[vid] = gt
        preds = {
            vid: greedy_relation_association(by_segment, **self.association)
            for vid, by_segment in segments.items()
        }
        if self.ann_file is not None:
            gts = load_groundtruth(self.ann_file, self.vocabulary)
        else:
            missing = sorted(set(segments) - set(sample_gts))
            if missing:
                raise ValueError(f'no sample of videos {missing[:3]} carries '
                                 'gt_relations (and no ann_file was given)')
            gts = sample_gts
        scores = self._score(gts, preds)
        MMLogger.get_current_instance().info(
            f'VidVRDSegmentMetric ({self.split}): {len(results)} segments '
            f'of {len(segments)} videos; {scores["num_videos"]} videos with '
            f'{scores["num_gt"]} GT relations')
        if scores['unscored_videos']:
            raise ValueError(
                f'{len(scores["unscored_videos"])} predicted videos are not '
                f'in the ground truth ({self.ann_file or "gt_relations"}), '
                f'e.g. {scores["unscored_videos"][:3]}')
        return self._metric_values(scores)


def _field(data_sample, name: str):
    value = data_sample.get(name, None)
    if value is None:
        raise KeyError(f'VidVRDSegmentMetric needs {name!r} in every data '
                       f'sample; got {list(data_sample.keys())} and meta '
                       f'{list(data_sample.metainfo_keys())}')
    return value
