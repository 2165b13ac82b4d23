import os.path as osp
from typing import Optional

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import nn
from transformers import VJEPA2Config, VJEPA2Model

ATTENTIONS = ('sdpa', 'eager')


class _VJEPA2EncoderOnly(VJEPA2Model):
    """``VJEPA2Model`` whose predictor weights may be absent from a file.

    Classification uses the encoder only; directories written by
    ``tools/a2o/convert_vjepa2_checkpoint.py`` hold no predictor, so its
    missing keys are expected, not worth a warning.
    """

    _keys_to_ignore_on_load_missing = [r'^predictor\.']


def _expand_input_channels(conv: nn.Conv3d, in_channels: int) -> nn.Conv3d:
    """A copy of ``conv`` taking ``in_channels`` inputs; new ones are zero.

    The zero weights make the extra channels (e.g. likelihood maps) invisible
    at the start, so the pretrained function is unchanged until training.
    """
    grown = nn.Conv3d(
        in_channels,
        conv.out_channels,
        kernel_size=conv.kernel_size,
        stride=conv.stride,
        bias=conv.bias is not None)
    with torch.no_grad():
        grown.weight.zero_()
        grown.weight[:, :conv.in_channels] = conv.weight
        if conv.bias is not None:
            grown.bias.copy_(conv.bias)
    return grown.to(conv.weight)


@MODELS.register_module()
class VJEPA2(BaseModule):
    """V-JEPA 2 video encoder (transformers ``VJEPA2Model``) as a backbone.

    The encoder of V-JEPA 2 (Assran et al., 2025): a ViT over 3D tubelets
    (``tubelet_size`` x ``patch_size`` x ``patch_size``) with 3D rotary
    position embeddings and no absolute ones, ending in a LayerNorm. The
    predictor of the self-supervised objective is dropped. Output tokens
    are ordered time-major, then rows, then columns.

    transformers derives the RoPE patch grid from ``config.crop_size``; the
    official code uses the input's own grid. This backbone sets the grid of
    every layer from the input, so any square input size gives the official
    positions; non-square inputs raise an error, since transformers' grid is
    square.

    Official checkpoint files (``vitl.pt``) are converted to a transformers
    directory with ``tools/a2o/convert_vjepa2_checkpoint.py``.

    Args:
        pretrained (str, optional): Local transformers directory of a
            ``VJEPA2Model`` (or ``VJEPA2ForVideoClassification``) loaded with
            ``from_pretrained``. Defaults to None.
        config (dict, optional): ``VJEPA2Config`` arguments for a randomly
            initialised encoder (tests, ablations) when ``pretrained`` is
            None. Defaults to None.
        in_channels (int): Input channels. More than the checkpoint's
            (e.g. 3 RGB + K likelihood maps) grows the patch embedding; the
            new input channels' weights start at zero. Defaults to 3.
        attn_implementation (str): ``'sdpa'`` or ``'eager'``. Defaults to
            ``'sdpa'``.
        with_cp (bool): Gradient checkpointing of the layers (less memory,
            slower). Defaults to False.
        frozen (bool): Freeze the encoder and keep it in eval mode (frozen
            attentive-probe evaluation). Defaults to False.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 pretrained: Optional[str] = None,
                 config: Optional[dict] = None,
                 in_channels: int = 3,
                 attn_implementation: str = 'sdpa',
                 with_cp: bool = False,
                 frozen: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if attn_implementation not in ATTENTIONS:
            raise ValueError(f'attn_implementation must be one of '
                             f'{ATTENTIONS}, got {attn_implementation!r}')
        model = self._build_model(pretrained, config, attn_implementation)
        if with_cp:
            model.gradient_checkpointing_enable(
                gradient_checkpointing_kwargs=dict(use_reentrant=False))
        self.encoder = model.encoder
        self.config = model.config
        embed = self.encoder.embeddings.patch_embeddings
        if in_channels < embed.proj.in_channels:
            raise ValueError(
                f'in_channels={in_channels} is fewer than the encoder\'s '
                f'{embed.proj.in_channels} input channels')
        if in_channels > embed.proj.in_channels:
            embed.proj = _expand_input_channels(embed.proj, in_channels)
        self.in_channels = in_channels
        self.frozen = frozen
        if frozen:
            self.requires_grad_(False)
            self.eval()

    @staticmethod
    def _build_model(pretrained: Optional[str], config: Optional[dict],
                     attn_implementation: str) -> VJEPA2Model:
        if pretrained is None:
            if config is None:
                raise ValueError('VJEPA2 needs `pretrained` (a local '
                                 'transformers directory) or `config`')
            return _VJEPA2EncoderOnly._from_config(
                VJEPA2Config(**config),
                attn_implementation=attn_implementation)
        if not osp.isfile(osp.join(pretrained, 'config.json')):
            raise FileNotFoundError(
                f'V-JEPA 2 weights directory {pretrained!r} does not exist or '
                'has no config.json; convert official files with '
                'tools/a2o/convert_vjepa2_checkpoint.py')
        return _VJEPA2EncoderOnly.from_pretrained(
            pretrained,
            attn_implementation=attn_implementation,
            local_files_only=True)

    def train(self, mode: bool = True):
        return super().train(mode and not self.frozen)

    @property
    def embed_dims(self) -> int:
        """Width of the output tokens."""
        return self.config.hidden_size

    @property
    def patch_size(self) -> int:
        return self.config.patch_size

    @property
    def tubelet_size(self) -> int:
        return self.config.tubelet_size

    def _set_rope_grid(self, height: int, width: int) -> None:
        if height != width:
            raise ValueError(
                f'VJEPA2 needs square inputs (transformers\' RoPE grid is '
                f'square), got {height}x{width} pixels')
        grid = height // self.patch_size
        for layer in self.encoder.layer:
            layer.attention.grid_size = grid

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Encode clips.

        Args:
            x (torch.Tensor): (B, C, T, H, W) normalised clips; T a multiple
                of ``tubelet_size``, H = W a multiple of ``patch_size``.

        Returns:
            torch.Tensor: (B, T / tubelet * H / patch * W / patch,
            embed_dims) tokens after the final LayerNorm.
        """
        if x.dim() != 5 or x.shape[1] != self.in_channels:
            raise ValueError(f'VJEPA2 expects (B, {self.in_channels}, T, H, '
                             f'W) clips, got shape {tuple(x.shape)}')
        frames, height, width = x.shape[2:]
        if frames % self.tubelet_size or height % self.patch_size \
                or width % self.patch_size:
            raise ValueError(
                f'clip of {frames} frames at {height}x{width}: frames must '
                f'be a multiple of the tubelet size {self.tubelet_size} and '
                f'the sides of the patch size {self.patch_size}')
        self._set_rope_grid(height, width)
        return self.encoder(
            pixel_values_videos=x.transpose(1, 2)).last_hidden_state
