from typing import Optional

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import nn

FUSIONS = ('add', 'concat')


@MODELS.register_module()
class LikelihoodMapAdapter(BaseModule):
    """Feed per-class object likelihood maps to a video backbone (A2O).

    Position-independent: every layer is a 1x1x1 convolution, so each pixel
    of each frame maps its K likelihoods m(u, v) to a feature on its own
    (A2O, Sekii and Sato, Sec. 3.2-3.3). The variants of the paper's
    Table 10:

    - ``num_blocks=0``: one 1x1 conv, K -> 3;
    - ``num_blocks=n``: {1x1 conv + ReLU} x n (K -> D, D -> D, ...) and a
      final 1x1 conv D -> 3.

    With ``fuse='add'`` the 3-channel result is added to the (normalised)
    RGB frames, so the backbone keeps its 3 input channels. ``fuse='concat'``
    is the paper's no-compression ablation: no layers at all, the maps are
    appended to the frames as K extra input channels (the backbone must take
    3 + K channels, e.g. ``VJEPA2(in_channels=3 + K)``).

    The paper gives no hidden width D; ``hidden_channels`` sets it. With
    ``zero_init_output`` the last conv starts at zero, so training starts
    from exactly the pretrained backbone's function (the other layers
    still receive gradients from the first step on).

    Args:
        in_channels (int): Number of object classes K (map channels).
        num_blocks (int): Number of {1x1 conv + ReLU} blocks before the
            output conv; 0 gives a single 1x1 conv. Defaults to 0.
        hidden_channels (int): Width D of the blocks. Defaults to 64.
        out_channels (int): Channels of the frames the result is added to.
            Defaults to 3.
        fuse (str): ``'add'`` or ``'concat'``. Defaults to ``'add'``.
        zero_init_output (bool): Zero the output conv's weight and bias.
            Defaults to True.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 in_channels: int,
                 num_blocks: int = 0,
                 hidden_channels: int = 64,
                 out_channels: int = 3,
                 fuse: str = 'add',
                 zero_init_output: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if fuse not in FUSIONS:
            raise ValueError(f'fuse must be one of {FUSIONS}, got {fuse!r}')
        if in_channels < 1:
            raise ValueError('in_channels (the number of object classes) '
                             f'must be >= 1, got {in_channels}')
        if num_blocks < 0:
            raise ValueError(f'num_blocks must be >= 0, got {num_blocks}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.fuse = fuse
        self.layers = None
        if fuse == 'add':
            self.layers = self._build_layers(in_channels, num_blocks,
                                             hidden_channels, out_channels)
            if zero_init_output:
                nn.init.zeros_(self.layers[-1].weight)
                nn.init.zeros_(self.layers[-1].bias)

    @staticmethod
    def _build_layers(in_channels: int, num_blocks: int, hidden: int,
                      out_channels: int) -> nn.Sequential:
        layers = []
        width = in_channels
        for _ in range(num_blocks):
            layers += [nn.Conv3d(width, hidden, 1), nn.ReLU(inplace=True)]
            width = hidden
        layers.append(nn.Conv3d(width, out_channels, 1))
        return nn.Sequential(*layers)

    @property
    def fused_channels(self) -> int:
        """Channels of :meth:`forward`'s output (the backbone's input)."""
        if self.fuse == 'concat':
            return self.out_channels + self.in_channels
        return self.out_channels

    def forward(self, frames: torch.Tensor,
                maps: torch.Tensor) -> torch.Tensor:
        """Fuse the maps into the frames.

        Args:
            frames (torch.Tensor): (B, 3, T, H, W) normalised frames.
            maps (torch.Tensor): (B, K, T, H, W) likelihoods in [0, 1].

        Returns:
            torch.Tensor: (B, 3, T, H, W) for ``'add'``, (B, 3 + K, T, H, W)
            for ``'concat'``.
        """
        if maps.shape[1] != self.in_channels:
            raise ValueError(
                f'the adapter expects {self.in_channels} likelihood maps '
                f'(num_object_classes) but the input has {maps.shape[1]}; '
                'maps computed for another class list?')
        if frames.shape[1] != self.out_channels:
            raise ValueError(f'the adapter expects {self.out_channels}-'
                             f'channel frames, got {frames.shape[1]}')
        if self.fuse == 'concat':
            return torch.cat([frames, maps.to(frames.dtype)], dim=1)
        return frames + self.layers(maps.to(frames.dtype))
