from collections import OrderedDict, defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric

from mmaction_ext.datasets.transforms.sample_action_specifications import \
    is_multi_hot
from ..functional.proda import (charades_map, frame_labels,
                                localization_inputs, localization_map,
                                map_by_label_count, spec_targets)


def _np(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def specified_scores(specs: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Per class, the best a_s score among the SAPs that specify it.

    Args:
        specs (ndarray): bool (S, C).
        scores (ndarray): a_s scores (S, C + 1).

    Returns:
        ndarray: (C, ); 0 for classes no SAP specifies.
    """
    masked = np.where(specs, scores[:, :specs.shape[1]], -np.inf)
    best = masked.max(0)
    return np.where(np.isfinite(best), best, 0.)


@METRICS.register_module()
class ProDAMetric(BaseMetric):
    """ProDA metrics (percent).

    - ``a_t_mAP``: Charades mAP of ``pred_score`` (:func:`charades_map`,
      MMAction2's ``mean_average_precision``).
    - ``a_m_mAP``: the same for the probe's ``aux_score``, when present.
    - ``a_s_mAP``: the same for a_s, class c scored by the SAPs that
      specify it (:func:`specified_scores`); with the ``'partition'``
      protocol each class is specified exactly once and no ground truth is
      used, so it can select the stage-1 checkpoint.
    - ``by_label_count=True``: ``a_s_mAP/{clean|distractor}/L{n}`` for
      videos with n labels (Tables 6-7); needs specifications from the
      ``'gt_recipe'`` protocol.
    - ``localization=True``: ``loc_mAP/{clean|distractor}/theta{t}/iou{u}``
      (Tables 8-9) from the SAP branch's frame weights, see
      :func:`localization_inputs`; needs ``frame_inds`` and
      ``action_segments`` in the metainfo.

    Args:
        num_classes (int): C. Defaults to 157.
        by_label_count (bool): Defaults to False.
        localization (bool): Defaults to False.
        thetas (Sequence[float]): Defaults to (0.2, 0.5, 0.7).
        iou_thrs (Sequence[float]): Defaults to (0.2, 0.5, 0.7).
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to None.
    """

    default_prefix = 'proda'

    def __init__(self,
                 num_classes: int = 157,
                 by_label_count: bool = False,
                 localization: bool = False,
                 thetas: Sequence[float] = (0.2, 0.5, 0.7),
                 iou_thrs: Sequence[float] = (0.2, 0.5, 0.7),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.num_classes = num_classes
        self.by_label_count = by_label_count
        self.localization = localization
        self.thetas = tuple(thetas)
        self.iou_thrs = tuple(iou_thrs)

    def _multi_hot(self, label) -> np.ndarray:
        label = _np(label).ravel()
        if is_multi_hot(label, self.num_classes):
            return (label > 0).astype(np.int64)
        out = np.zeros(self.num_classes, np.int64)
        out[label.astype(np.int64)] = 1
        return out

    def process(self, data_batch, data_samples: Sequence) -> None:
        for sample in data_samples:
            # the Evaluator hands over dicts (to_dict() of the samples)
            get = sample.get
            meta = sample if isinstance(sample, dict) else sample.metainfo
            result = dict(
                key=str(meta.get('video_id', len(self.results))),
                score=_np(get('pred_score')),
                label=self._multi_hot(get('gt_label')))
            if get('aux_score') is not None:
                result['aux'] = _np(get('aux_score'))
            if get('spec_scores') is not None:
                result['specified'] = specified_scores(
                    _np(get('action_specs')), _np(get('spec_scores')))
            if self.by_label_count or self.localization:
                for key in ('action_specs', 'spec_scores', 'spec_distractor',
                            'frame_weights'):
                    if get(key) is None:
                        raise KeyError(f'ProDAMetric needs {key!r} in the '
                                       f'data samples for this analysis')
                    result[key] = _np(get(key))
            if self.localization:
                result['frame_gt'] = frame_labels(
                    meta['frame_inds'], meta.get('action_segments', []),
                    self.num_classes)
            self.results.append(result)

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        labels = np.stack([r['label'] for r in results])
        metrics = OrderedDict(
            a_t_mAP=100 *
            charades_map(np.stack([r['score'] for r in results]), labels))
        if all('aux' in r for r in results):
            metrics['a_m_mAP'] = 100 * charades_map(
                np.stack([r['aux'] for r in results]), labels)
        if all('specified' in r for r in results):
            metrics['a_s_mAP'] = 100 * charades_map(
                np.stack([r['specified'] for r in results]), labels)
        if self.by_label_count:
            for distractor in (False, True):
                groups = defaultdict(lambda: ([], []))
                for r in results:
                    rows = r['spec_distractor'] == distractor
                    if not rows.any():
                        continue
                    group = groups[int(r['label'].sum())]
                    group[0].append(r['spec_scores'][rows])
                    group[1].append(
                        spec_targets(r['action_specs'][rows], r['label']))
                name = 'distractor' if distractor else 'clean'
                for count, value in map_by_label_count(groups).items():
                    metrics[f'a_s_mAP/{name}/L{count}'] = 100 * value
        if self.localization:
            videos = [
                dict(
                    key=r['key'],
                    specs=r['action_specs'],
                    spec_scores=r['spec_scores'],
                    distractor=r['spec_distractor'],
                    frame_weights=r['frame_weights'],
                    frame_gt=r['frame_gt']) for r in results
            ]
            for distractor in (False, True):
                name = 'distractor' if distractor else 'clean'
                for theta in self.thetas:
                    dets, gts = localization_inputs(videos, theta, distractor)
                    for iou in self.iou_thrs:
                        metrics[f'loc_mAP/{name}/theta{theta}/iou{iou}'] = \
                            100 * localization_map(dets, gts, iou)
        return metrics
