from typing import Dict, List, Union

import torch
from mmengine.model import BaseDataPreprocessor

from mmaction.registry import MODELS


@MODELS.register_module()
class SegmentationDataPreprocessor(BaseDataPreprocessor):
    """Pad variable-length sequences into one batch and move it to device.

    Accepts either a list of (C, T_i, V) tensors (MMEngine's default
    ``pseudo_collate``) or an already padded (N, C, T, V) tensor. Padding
    is zero; the model derives masks from each data sample's
    ``total_frames``.
    """

    def forward(self, data: Dict, training: bool = False) -> Dict:
        data = self.cast_data(data)
        inputs: Union[List[torch.Tensor], torch.Tensor] = data['inputs']
        if isinstance(inputs, (list, tuple)):
            longest = max(x.shape[1] for x in inputs)
            batch = inputs[0].new_zeros(
                (len(inputs), inputs[0].shape[0], longest, inputs[0].shape[2]))
            for n, x in enumerate(inputs):
                batch[n, :, :x.shape[1]] = x
            inputs = batch
        data['inputs'] = inputs.float()
        return data
