from typing import Optional, Tuple, Union

import torch
from mmengine.model import BaseModule
from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

from mmaction.registry import MODELS
from .clip_weights import build_clip_tower

ARCHS = dict(
    vit_b=dict(
        hidden_size=768,
        num_attention_heads=12,
        num_hidden_layers=12,
        patch_size=32,
        projection_dim=512),
    vit_b16=dict(
        hidden_size=768,
        num_attention_heads=12,
        num_hidden_layers=12,
        patch_size=16,
        projection_dim=512),
    vit_l=dict(
        hidden_size=1024,
        num_attention_heads=16,
        num_hidden_layers=24,
        patch_size=14,
        projection_dim=768))
PATCH_GRIDS = (None, 'hidden', 'projected')


@MODELS.register_module()
class CLIPVisionEncoder(BaseModule):
    """CLIP's image tower (transformers ``CLIPVisionModelWithProjection``).

    Returns CLIP's ``encode_image`` embedding and, optionally, the patch
    tokens as a feature map that RoIAlign can pool (region features, as in
    RegionCLIP / ProDA / SAGE). Images are expected normalised with CLIP's
    mean (122.77, 116.75, 104.09) and std (68.50, 66.63, 70.32) on a 0-255
    scale, e.g. by ``ActionDataPreprocessor``. Sizes other than the
    tower's ``image_size`` interpolate the position embeddings.

    Args:
        pretrained (str, optional): Local CLIP weights: a transformers
            directory (``CLIPModel`` or vision tower) or an OpenAI CLIP /
            open_clip file with a ViT image tower (converted on load). None
            builds a randomly initialised ``arch``. Defaults to None.
        arch (str): ``'vit_b'`` (ViT-B/32), ``'vit_b16'`` or ``'vit_l'``
            (ViT-L/14) when ``pretrained`` is None. Defaults to ``'vit_b'``.
        act (str): Activation of a converted file or random tower:
            ``'quick_gelu'`` (OpenAI) or ``'gelu'``. Defaults to
            ``'quick_gelu'``.
        patch_grid (str, optional): Also return the patch tokens as a
            (N, C, H / patch, W / patch) map: ``'hidden'`` (last layer, C =
            hidden size) or ``'projected'`` (through CLIP's final norm and
            projection like the pooled token, C = ``embed_dims``: the
            space of the text embeddings). Defaults to None (pooled only).
        frozen (bool): Freeze the weights and keep the tower in eval mode.
            Defaults to False.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 pretrained: Optional[str] = None,
                 arch: str = 'vit_b',
                 act: str = 'quick_gelu',
                 patch_grid: Optional[str] = None,
                 frozen: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if patch_grid not in PATCH_GRIDS:
            raise ValueError(f'patch_grid must be one of {PATCH_GRIDS}, got '
                             f'{patch_grid!r}')
        if pretrained is None and arch not in ARCHS:
            raise ValueError(f'arch must be one of {sorted(ARCHS)}, got '
                             f'{arch!r}')
        random_config = None if pretrained else CLIPVisionConfig(
            image_size=224,
            intermediate_size=4 * ARCHS[arch]['hidden_size'],
            hidden_act=act,
            **ARCHS[arch])
        self.model = build_clip_tower(CLIPVisionModelWithProjection,
                                      pretrained, act, random_config)
        self.patch_grid = patch_grid
        self.frozen = frozen
        if frozen:
            self.requires_grad_(False)
            self.eval()

    def train(self, mode: bool = True):
        return super().train(mode and not self.frozen)

    @property
    def embed_dims(self) -> int:
        """Size of the pooled (and projected patch) embeddings."""
        return self.model.config.projection_dim

    @property
    def patch_size(self) -> int:
        """Stride of the patch grid in pixels (RoIAlign's 1 / scale)."""
        return self.model.config.patch_size

    def forward(
        self, images: torch.Tensor
    ) -> Union[torch.Tensor, Tuple[torch.Tensor, torch.Tensor]]:
        """Embed images.

        Args:
            images (torch.Tensor): (N, 3, H, W) normalised images; H and W
                multiples of the patch size.

        Returns:
            torch.Tensor | tuple: Pooled projected embeddings (N,
            embed_dims); with ``patch_grid`` also the (N, C, H / patch,
            W / patch) patch-token map.
        """
        height, width = images.shape[-2:]
        size = self.model.config.image_size
        vision = self.model.vision_model
        # Only other sizes pass the flag (transformers >= 4.45 knows it).
        extra = {} if (height, width) == (size, size) else dict(
            interpolate_pos_encoding=True)
        hidden = vision(pixel_values=images, **extra).last_hidden_state
        pooled = self.model.visual_projection(
            vision.post_layernorm(hidden[:, 0]))
        if self.patch_grid is None:
            return pooled
        patches = hidden[:, 1:]
        if self.patch_grid == 'projected':
            patches = self.model.visual_projection(
                vision.post_layernorm(patches))
        grid = patches.transpose(1, 2).reshape(
            images.size(0), -1, height // self.patch_size,
            width // self.patch_size)
        return pooled, grid
