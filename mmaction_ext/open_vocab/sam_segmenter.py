"""SAM (Kirillov et al., ICCV 2023) box-prompted masks via transformers."""
import json
import os.path as osp

import numpy as np
import torch

from ..utils.errors import BadInputError
from .base_open_vocab_detector import check_weights_dir, weights_fingerprint
from .base_segmenter import BaseSegmenter
from .registry import SEGMENTERS

# config.json model_type -> (model class, processor class) in transformers
MODEL_TYPES = dict(
    sam=('SamModel', 'SamProcessor'), sam_hq=('SamHQModel', 'SamHQProcessor'))


def read_model_type(weights_dir: str) -> str:
    """The ``model_type`` of a weights folder's config.json."""
    path = osp.join(weights_dir, 'config.json')
    try:
        with open(path, encoding='utf-8') as f:
            model_type = json.load(f).get('model_type')
    except (ValueError, AttributeError) as error:
        raise BadInputError(f'{path} is not a transformers config: '
                            f'{error}') from None
    if model_type not in MODEL_TYPES:
        raise BadInputError(
            f'SAMSegmenter: {weights_dir!r} holds a {model_type!r} model; '
            f'expected one of {sorted(MODEL_TYPES)} (e.g. a copy of '
            'facebook/sam-vit-base)')
    return model_type


@SEGMENTERS.register_module()
class SAMSegmenter(BaseSegmenter):
    """``SamModel`` + ``SamProcessor`` from a local folder, box prompts.

    Each frame goes through SAM once with all its boxes as prompts (one
    mask per box, ``multimask_output=False``). The processor resizes the
    frame's longest side to the model's input size, pads it, and scales
    the boxes alike; ``post_process_masks`` brings the masks back to the
    frame size and thresholds the mask logits. transformers' SAM runs in
    plain PyTorch, and its slow image processor needs no torchvision.
    Folders of SAM-HQ (``model_type`` ``sam_hq``) load through
    ``SamHQModel`` / ``SamHQProcessor`` and are used the same way.

    Args:
        weights (str): Folder written by ``save_pretrained`` holding the
            model and its processor (e.g. a copy of
            ``facebook/sam-vit-base``).
        mask_threshold (float): Threshold on the mask logits. Defaults to
            0.0 (SAM's).
        device (str): Torch device of the model. Defaults to 'cpu'.
    """
    backend = 'sam'

    def __init__(self,
                 weights: str,
                 mask_threshold: float = 0.0,
                 device: str = 'cpu') -> None:
        super().__init__(mask_threshold, device)
        import transformers
        self.weights = check_weights_dir(weights, 'SAMSegmenter')
        if not osp.isfile(osp.join(weights, 'preprocessor_config.json')):
            raise FileNotFoundError(
                f'SAMSegmenter: {weights!r} has no preprocessor_config.json;'
                ' save the processor there too (`SamProcessor.'
                'save_pretrained`)')
        self.model_type = read_model_type(weights)
        model_class, processor_class = (
            getattr(transformers, name)
            for name in MODEL_TYPES[self.model_type])
        self.processor = processor_class.from_pretrained(
            weights, local_files_only=True)
        self.model = model_class.from_pretrained(
            weights, local_files_only=True).eval().to(self.device)

    def _identity_fields(self) -> dict:
        return dict(
            model_type=self.model_type,
            weights=weights_fingerprint(self.weights))

    def _segment_frame(self, frame: np.ndarray,
                       boxes: torch.Tensor) -> torch.Tensor:
        inputs = self.processor(
            images=frame, input_boxes=[boxes.tolist()], return_tensors='pt')
        output = self.model(
            pixel_values=inputs['pixel_values'].to(self.device),
            input_boxes=inputs['input_boxes'].to(self.device, torch.float32),
            multimask_output=False)
        masks = self.processor.post_process_masks(
            output.pred_masks.float().cpu(),
            inputs['original_sizes'],
            inputs['reshaped_input_sizes'],
            mask_threshold=self.mask_threshold)[0]  # (n, 1, H, W)
        return masks[:, 0]
