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

    Each frame goes through SAM's image encoder once; its boxes are the
    prompts of one mask-decoder call (one mask per box,
    ``multimask_output=False``), split into calls of ``prompts_per_call``
    boxes when there are more, since the decoder copies the image
    embedding for every prompt. The processor resizes the frame's longest
    side to the model's input size, pads it, and scales the boxes alike;
    ``post_process_masks`` brings the masks back to the frame size and
    thresholds the mask logits. transformers' SAM runs in
    plain PyTorch, and its slow image processor needs no torchvision.
    Folders of SAM-HQ (``model_type`` ``sam_hq``) load through
    ``SamHQModel`` / ``SamHQProcessor`` and are used the same way.

    Args:
        weights (str): Folder written by ``save_pretrained`` holding the
            model and its processor (e.g. a copy of
            ``facebook/sam-vit-base``).
        mask_threshold (float): Threshold on the mask logits. Defaults to
            0.0 (SAM's).
        prompts_per_call (int): Most boxes per mask-decoder call; memory
            grows with it (the decoder copies SAM's 256 x 64 x 64 image
            embedding, 4 MB, for every prompt). Defaults to 64.
        device (str): Torch device of the model. Defaults to 'cpu'.
    """
    backend = 'sam'

    def __init__(self,
                 weights: str,
                 mask_threshold: float = 0.0,
                 prompts_per_call: int = 64,
                 device: str = 'cpu') -> None:
        super().__init__(mask_threshold, device)
        if not isinstance(prompts_per_call, int) or prompts_per_call < 1:
            raise BadInputError(f'prompts_per_call must be an int >= 1, got '
                                f'{prompts_per_call!r}')
        self.prompts_per_call = prompts_per_call
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

    def _image_embeddings(self, pixel_values: torch.Tensor) -> dict:
        """The encoder's output as the model's keyword arguments."""
        if self.model_type == 'sam_hq':  # its decoder also reads the ViT
            embeddings, intermediate = self.model.get_image_embeddings(
                pixel_values)
            return dict(
                image_embeddings=embeddings,
                intermediate_embeddings=intermediate)
        return dict(
            image_embeddings=self.model.get_image_embeddings(pixel_values))

    def _segment_frame(self, frame: np.ndarray,
                       boxes: torch.Tensor) -> torch.Tensor:
        inputs = self.processor(
            images=frame, input_boxes=[boxes.tolist()], return_tensors='pt')
        embeddings = self._image_embeddings(inputs['pixel_values'].to(
            self.device))
        prompts = inputs['input_boxes'].to(self.device, torch.float32)
        logits = []
        for start in range(0, prompts.shape[1], self.prompts_per_call):
            output = self.model(
                input_boxes=prompts[:, start:start + self.prompts_per_call],
                multimask_output=False,
                **embeddings)
            logits.append(output.pred_masks.float().cpu())
        masks = self.processor.post_process_masks(
            torch.cat(logits, 1),
            inputs['original_sizes'],
            inputs['reshaped_input_sizes'],
            mask_threshold=self.mask_threshold)[0]  # (n, 1, H, W)
        return masks[:, 0]
