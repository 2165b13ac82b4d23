import math

import torch
from mmaction.models.heads import BaseHead
from mmaction.registry import MODELS
from torch import nn
from transformers import VJEPA2Config
from transformers.models.vjepa2.modeling_vjepa2 import VJEPA2AttentivePooler


@MODELS.register_module()
class AttentiveProbeHead(BaseHead):
    """V-JEPA 2's attentive probe: attentive pooling then a linear layer.

    The official probe (``AttentiveClassifier`` with 4 blocks, Assran et
    al., 2025): ``num_self_attention_blocks`` pre-norm self-attention blocks
    over all tokens (no position embeddings), then one cross-attention block
    in which a single learnt query attends to the LayerNorm'ed tokens (no
    output projection; the query itself is not normalised) followed by an
    MLP, then ``Linear(in_channels, num_classes)``. Built on transformers'
    ``VJEPA2AttentivePooler`` (same structure); LayerNorm eps defaults to
    the official probe's 1e-5. Weights start as the official ones do:
    truncated normal (std ``init_std``) linears and query, zero biases, each
    block's attention output and ``fc2`` divided by sqrt(2 * block index)
    (the cross-attention ``fc2`` by the last index).

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Token width (the backbone's ``embed_dims``).
        num_heads (int): Attention heads. Defaults to 16.
        num_self_attention_blocks (int): Self-attention blocks before the
            cross-attention block. Defaults to 3.
        norm_eps (float): LayerNorm epsilon. Defaults to 1e-5.
        init_std (float): Std of the truncated-normal init. Defaults to
            0.02.
        dropout_ratio (float): Dropout before the linear layer. Defaults to
            0.0.
        **kwargs: Other arguments of :class:`BaseHead` (``loss_cls``,
            ``average_clips``, ...).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 num_heads: int = 16,
                 num_self_attention_blocks: int = 3,
                 norm_eps: float = 1e-5,
                 init_std: float = 0.02,
                 dropout_ratio: float = 0.0,
                 **kwargs) -> None:
        super().__init__(num_classes, in_channels, **kwargs)
        if in_channels % num_heads:
            raise ValueError(f'in_channels={in_channels} is not a multiple '
                             f'of num_heads={num_heads}')
        config = VJEPA2Config(
            hidden_size=in_channels,
            num_attention_heads=num_heads,
            num_pooler_layers=num_self_attention_blocks,
            layer_norm_eps=norm_eps)
        config._attn_implementation = 'sdpa'
        self.pooler = VJEPA2AttentivePooler(config)
        self.dropout = nn.Dropout(dropout_ratio) if dropout_ratio else None
        self.fc_cls = nn.Linear(in_channels, num_classes)
        self.init_std = init_std
        self._init_like_official()

    @torch.no_grad()
    def _init_like_official(self) -> None:
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.trunc_normal_(module.weight, std=self.init_std)
                nn.init.zeros_(module.bias)
        nn.init.trunc_normal_(self.pooler.query_tokens, std=self.init_std)
        blocks = self.pooler.self_attention_layers
        for index, block in enumerate(blocks, 1):
            block.self_attn.out_proj.weight.div_(math.sqrt(2.0 * index))
            block.mlp.fc2.weight.div_(math.sqrt(2.0 * index))
        last = max(len(blocks), 1)
        self.pooler.cross_attention_layer.mlp.fc2.weight.div_(
            math.sqrt(2.0 * last))

    def forward(self, x: torch.Tensor, **kwargs) -> torch.Tensor:
        """Classify token sequences.

        Args:
            x (torch.Tensor): (B, L, in_channels) tokens, or a (B,
                in_channels, T, H, W) feature map (flattened to T * H * W
                tokens), e.g. MMAction2's ``VisionTransformer`` with
                ``return_feat_map=True``.

        Returns:
            torch.Tensor: (B, num_classes) class scores.
        """
        if x.dim() == 5:
            x = x.flatten(2).transpose(1, 2)
        if x.dim() != 3 or x.shape[-1] != self.in_channels:
            raise ValueError(
                f'AttentiveProbeHead expects (B, L, {self.in_channels}) '
                f'tokens or a (B, {self.in_channels}, T, H, W) map, got '
                f'shape {tuple(x.shape)} (a pooled backbone output? set '
                'return_feat_map=True on VisionTransformer)')
        pooled = self.pooler(x)
        if self.dropout is not None:
            pooled = self.dropout(pooled)
        return self.fc_cls(pooled)
