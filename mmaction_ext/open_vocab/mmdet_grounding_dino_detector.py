"""mmdet's Grounding DINO; needs full mmcv (its compiled ops)."""
from typing import List

import numpy as np
import torch

from ..utils.errors import UserInputError
from .base_open_vocab_detector import BaseOpenVocabDetector
from .registry import OPEN_VOCAB_DETECTORS


class MissingMMCVOpsError(UserInputError, ImportError):
    """Full mmcv (with ``mmcv.ops``) is needed but not installed."""


def require_full_mmcv(what: str) -> None:
    """Raise MissingMMCVOpsError unless ``mmcv.ops`` (full mmcv) imports."""
    try:
        from mmcv.ops import MultiScaleDeformableAttention  # noqa: F401
    except ImportError as error:
        raise MissingMMCVOpsError(
            f'{what} needs full mmcv with its compiled ops '
            f'(`mmcv.ops` failed to import: {error}); mmcv-lite lacks them. '
            'Install full mmcv as requirements/mmcv_full.txt describes, or '
            "use the transformers backends ('OWLv2Detector', "
            "'HFGroundingDINODetector'), which run with mmcv-lite.") from None


@OPEN_VOCAB_DETECTORS.register_module()
class MMDetGroundingDINODetector(BaseOpenVocabDetector):
    """mmdet 3.x ``GroundingDINO`` from its config and checkpoint files.

    Each frame is detected with the caption ``"c1 . c2 . ..."`` and
    ``custom_entities=True``, so mmdet's labels index the class list.

    Args:
        config (str): An mmdet Grounding DINO config file.
        checkpoint (str): Its checkpoint file.
        score_thr, max_per_class, batch_size, device: See
            :class:`BaseOpenVocabDetector`.
    """
    backend = 'mmdet_grounding_dino'

    def __init__(self,
                 config: str,
                 checkpoint: str,
                 score_thr: float = 0.25,
                 max_per_class: int = 20,
                 batch_size: int = 8,
                 device: str = 'cpu') -> None:
        require_full_mmcv('MMDetGroundingDINODetector')
        super().__init__(score_thr, max_per_class, batch_size, device)
        import os.path as osp
        for name, path in (('config', config), ('checkpoint', checkpoint)):
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'MMDetGroundingDINODetector: {name} file {path!r} '
                    'does not exist')
        from mmdet.apis import init_detector
        self.config, self.checkpoint = config, checkpoint
        self.model = init_detector(config, checkpoint, device=str(device))

    def _identity_fields(self) -> dict:
        import os.path as osp
        return dict(
            config=osp.basename(self.config),
            checkpoint=osp.basename(self.checkpoint),
            size=osp.getsize(self.checkpoint))

    def _detect_batch(self, frames: np.ndarray, classes: List[str]):
        from mmdet.apis import inference_detector
        caption = ' . '.join(classes)
        results = inference_detector(
            self.model, [frame[..., ::-1].copy() for frame in frames],
            text_prompt=caption,
            custom_entities=True)
        num_boxes = max(len(r.pred_instances) for r in results) or 1
        boxes = torch.zeros(len(frames), num_boxes, 4)
        scores = torch.zeros(len(frames), num_boxes, len(classes))
        for index, result in enumerate(results):
            found = result.pred_instances
            count = len(found)
            boxes[index, :count] = found.bboxes.float().cpu()
            scores[index, torch.arange(count),
                   found.labels.cpu()] = found.scores.float().cpu()
        return boxes, scores
