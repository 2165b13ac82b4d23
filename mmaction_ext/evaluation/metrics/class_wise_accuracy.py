"""Overall and per-class top-1 accuracy (A2O's ICRL reward and state)."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric


@METRICS.register_module()
class ClassWiseAccuracy(BaseMetric):
    """Top-1 accuracy over all samples and for each class.

    The ICRL agent of A2O (Sekii and Sato, Listing 2) shows the LLM the
    overall and the class-wise validation accuracy of each object set.
    Keys: ``top1`` and ``class/<name>`` (classes without a validation
    sample are left out), all in [0, 1].

    Args:
        classes (Sequence[str]): Class names by label index.
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Key prefix. Defaults to 'class_wise'.
    """
    default_prefix = 'class_wise'

    def __init__(self,
                 classes: Sequence[str],
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.classes = list(classes)

    def process(self, data_batch, data_samples: Sequence[Dict]) -> None:
        for sample in data_samples:
            score = sample['pred_score']
            # unaveraged clips (a head without `average_clips`): mean score
            score = score.reshape(-1, score.shape[-1]).mean(0)
            self.results.append(
                (int(score.argmax()), int(sample['gt_label'].reshape(-1)[0])))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        pairs = np.asarray(results, dtype=np.int64).reshape(-1, 2)
        labels = pairs[:, 1]
        if labels.size and labels.max() >= len(self.classes):
            raise ValueError(f'label {labels.max()} has no name: '
                             f'{len(self.classes)} classes given')
        correct = pairs[:, 0] == labels
        metrics = dict(top1=float(correct.mean()) if labels.size else 0.0)
        for index, name in enumerate(self.classes):
            mask = labels == index
            if mask.any():
                metrics[f'class/{name}'] = float(correct[mask].mean())
        return metrics
