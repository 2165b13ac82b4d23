"""OWLv2 (Minderer et al., NeurIPS 2023) through transformers, offline."""
from typing import List

import numpy as np
import torch

from .base_open_vocab_detector import (BaseOpenVocabDetector,
                                       check_weights_dir, clip_boxes,
                                       cxcywh_to_xyxy, weights_fingerprint)
from .registry import OPEN_VOCAB_DETECTORS


@OPEN_VOCAB_DETECTORS.register_module()
class OWLv2Detector(BaseOpenVocabDetector):
    """``Owlv2ForObjectDetection`` + ``Owlv2Processor`` from a local folder.

    The processor pads each frame to a square (bottom and right) before
    resizing, so the predicted boxes, normalised to that square, are scaled
    by ``max(H, W)`` and clipped to the frame. Each box is scored for every
    class (sigmoid of its class logit); a box may thus count for several
    classes. transformers' OWLv2 runs in plain PyTorch (no torchvision).

    Args:
        weights (str): Folder written by ``save_pretrained`` holding the
            model and its processor (e.g. a copy of
            ``google/owlv2-base-patch16-ensemble``).
        score_thr (float): Defaults to 0.1 (the OWL-ViT demos' threshold).
        max_per_class, batch_size, device: See
            :class:`BaseOpenVocabDetector`.
    """
    backend = 'owlv2'

    def __init__(self,
                 weights: str,
                 score_thr: float = 0.1,
                 max_per_class: int = 20,
                 batch_size: int = 8,
                 device: str = 'cpu') -> None:
        super().__init__(score_thr, max_per_class, batch_size, device)
        from transformers import Owlv2ForObjectDetection, Owlv2Processor
        self.weights = check_weights_dir(weights, 'OWLv2Detector')
        # the fast image processors need torchvision, which must stay out
        self.processor = Owlv2Processor.from_pretrained(
            weights, local_files_only=True, use_fast=False)
        self.model = Owlv2ForObjectDetection.from_pretrained(
            weights, local_files_only=True).eval().to(self.device)
        self._text_cache = (None, None)

    def _identity_fields(self) -> dict:
        return dict(weights=weights_fingerprint(self.weights))

    def _text_inputs(self, classes: List[str]):
        if self._text_cache[0] != classes:
            tokens = self.processor.tokenizer(
                classes,
                padding='max_length',
                truncation=True,
                return_tensors='pt')
            self._text_cache = (list(classes), tokens)
        return self._text_cache[1]

    def _detect_batch(self, frames: np.ndarray, classes: List[str]):
        tokens = self._text_inputs(classes)
        pixels = self.processor.image_processor(
            images=list(frames), return_tensors='pt')['pixel_values']
        count = len(frames)
        output = self.model(
            input_ids=tokens['input_ids'].repeat(count, 1).to(self.device),
            attention_mask=tokens['attention_mask'].repeat(count,
                                                           1).to(self.device),
            pixel_values=pixels.to(self.device))
        height, width = frames.shape[1:3]
        boxes = cxcywh_to_xyxy(output.pred_boxes.float()) * max(height, width)
        scores = torch.sigmoid(output.logits.float())  # (B, P, C)
        return clip_boxes(boxes, height, width), scores
