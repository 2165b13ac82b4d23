"""Grounding DINO (Liu et al., ECCV 2024) through transformers, offline."""
from typing import List, Tuple

import numpy as np
import torch

from ..utils.errors import BadInputError
from .base_open_vocab_detector import (BaseOpenVocabDetector,
                                       check_weights_dir, clip_boxes,
                                       cxcywh_to_xyxy, weights_fingerprint)
from .registry import OPEN_VOCAB_DETECTORS


@OPEN_VOCAB_DETECTORS.register_module()
class HFGroundingDINODetector(BaseOpenVocabDetector):
    """``GroundingDinoForObjectDetection`` from a local folder.

    The classes form one caption, ``"c1 . c2 . ... ."`` (the model's own
    format); a query's score for class ``c`` is the highest sigmoid logit
    over the tokens of ``c``, as in transformers'
    ``post_process_grounded_object_detection``. Boxes are normalised to
    the frame, so they are scaled by (W, H). transformers runs the
    deformable attention in plain PyTorch, so this works with mmcv-lite.

    Args:
        weights (str): Folder written by ``save_pretrained`` holding the
            model and its processor (e.g. a copy of
            ``IDEA-Research/grounding-dino-tiny``).
        score_thr (float): Defaults to 0.25 (the model card's box
            threshold is 0.35 for its best single box; lower keeps more
            evidence for the maps).
        max_per_class, batch_size, device: See
            :class:`BaseOpenVocabDetector`.
    """
    backend = 'grounding_dino'

    def __init__(self,
                 weights: str,
                 score_thr: float = 0.25,
                 max_per_class: int = 20,
                 batch_size: int = 8,
                 device: str = 'cpu') -> None:
        super().__init__(score_thr, max_per_class, batch_size, device)
        from transformers import AutoProcessor, GroundingDinoForObjectDetection
        self.weights = check_weights_dir(weights, 'HFGroundingDINODetector')
        # the fast image processors need torchvision, which must stay out
        self.processor = AutoProcessor.from_pretrained(
            weights, local_files_only=True, use_fast=False)
        self.model = GroundingDinoForObjectDetection.from_pretrained(
            weights, local_files_only=True).eval().to(self.device)

    def _identity_fields(self) -> dict:
        return dict(weights=weights_fingerprint(self.weights))

    def caption_ids(self,
                    classes: List[str]) -> Tuple[torch.Tensor, List[range]]:
        """Token ids of ``[CLS] c1 . c2 . ... . [SEP]`` and each class's
        token positions."""
        tokenizer = self.processor.tokenizer
        dot = tokenizer.convert_tokens_to_ids('.')
        ids, spans = [tokenizer.cls_token_id], []
        for name in classes:
            tokens = tokenizer(name, add_special_tokens=False)['input_ids']
            if not tokens:
                raise BadInputError(f'object class {name!r} has no tokens')
            spans.append(range(len(ids), len(ids) + len(tokens)))
            ids += tokens + [dot]
        ids.append(tokenizer.sep_token_id)
        limit = self.model.config.max_text_len
        if len(ids) > limit:
            raise BadInputError(
                f'{len(classes)} object classes make a caption of '
                f'{len(ids)} tokens; Grounding DINO reads at most {limit}: '
                'use fewer or shorter classes')
        return torch.tensor([ids]), spans

    def _detect_batch(self, frames: np.ndarray, classes: List[str]):
        ids, spans = self.caption_ids(classes)
        images = self.processor.image_processor(
            images=list(frames), return_tensors='pt')
        count = len(frames)
        ids = ids.repeat(count, 1).to(self.device)
        output = self.model(
            pixel_values=images['pixel_values'].to(self.device),
            pixel_mask=images['pixel_mask'].to(self.device),
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            token_type_ids=torch.zeros_like(ids))
        token_scores = torch.sigmoid(output.logits.float())  # (B, Q, L)
        scores = torch.stack(
            [token_scores[..., span].amax(-1) for span in spans], -1)
        height, width = frames.shape[1:3]
        scale = torch.tensor([width, height, width, height],
                             dtype=torch.float32,
                             device=scores.device)
        boxes = cxcywh_to_xyxy(output.pred_boxes.float()) * scale
        return clip_boxes(boxes, height, width), scores
