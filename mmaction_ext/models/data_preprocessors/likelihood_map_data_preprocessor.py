from typing import Optional, Sequence, Tuple

import torch
from mmaction.models.data_preprocessors import ActionDataPreprocessor
from mmaction.registry import MODELS
from mmaction.utils import SampleList
from mmengine.model import stack_batch


@MODELS.register_module()
class LikelihoodMapDataPreprocessor(ActionDataPreprocessor):
    """Normalise clips that carry likelihood maps as extra channels (A2O).

    The A2O pipeline appends the K per-class likelihood maps (scaled to
    0-255) to the RGB channels of every frame, so a batch is (N, num_clips,
    3 + K, T, H, W). This normalises the first ``num_image_channels`` with
    ``mean`` / ``std`` (and optional BGR -> RGB), divides the map channels by
    ``map_scale`` (back to [0, 1]) and returns one tensor of the same shape:
    the recognizer splits it (see :class:`A2ORecognizer`). K = 0 (plain RGB)
    works too. Batch blending (mixup, cutmix) applies to all channels.

    Args:
        mean (Sequence[float]): Mean of the image channels (0-255 scale).
        std (Sequence[float]): Std of the image channels (0-255 scale).
        map_scale (float): Divisor of the map channels. Defaults to 255.
        to_rgb (bool): Reverse the image channels (BGR -> RGB). Defaults to
            False.
        blending (dict, optional): Batch blending config. Defaults to None.
        format_shape (str): Only ``'NCTHW'``. Defaults to ``'NCTHW'``.
    """

    def __init__(self,
                 mean: Sequence[float],
                 std: Sequence[float],
                 map_scale: float = 255.,
                 to_rgb: bool = False,
                 blending: Optional[dict] = None,
                 format_shape: str = 'NCTHW') -> None:
        if format_shape != 'NCTHW':
            raise ValueError('LikelihoodMapDataPreprocessor handles '
                             f'NCTHW clips only, got {format_shape!r}')
        if len(mean) != len(std):
            raise ValueError(f'mean has {len(mean)} values but std has '
                             f'{len(std)}')
        super().__init__(
            mean=mean,
            std=std,
            to_rgb=to_rgb,
            blending=blending,
            format_shape=format_shape)
        self.num_image_channels = len(mean)
        self.map_scale = float(map_scale)

    def preprocess(self,
                   inputs,
                   data_samples: SampleList,
                   training: bool = False) -> Tuple:
        batch = stack_batch(inputs)
        channel_dim = batch.dim() - 4  # (..., C, T, H, W)
        if batch.dim() < 5 or batch.shape[channel_dim] < \
                self.num_image_channels:
            raise ValueError(
                f'expected clips of shape (..., {self.num_image_channels} + '
                f'K, T, H, W), got {tuple(batch.shape)}')
        images, maps = batch.float().split([
            self.num_image_channels,
            batch.shape[channel_dim] - self.num_image_channels
        ],
                                           dim=channel_dim)
        if self.to_rgb:
            images = images.flip(channel_dim)
        images = (images - self.mean) / self.std
        batch = torch.cat([images, maps / self.map_scale], dim=channel_dim)
        if training and self.blending is not None:
            batch, data_samples = self.blending(batch, data_samples)
        return batch, data_samples
