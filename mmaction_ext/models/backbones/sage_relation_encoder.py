from typing import Dict, Optional

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from ..utils import (SemanticEnhancement, masked_mean, transformer_stack)
from ..utils.sage_blocks import check_features

STREAMS = ('subject', 'object', 'union', 'background')


@MODELS.register_module()
class SAGERelationEncoder(BaseModule):
    """SAGE's spatio-temporal relation modelling (Sec. 3.4, Eq. 2-6).

    Per subject-object pair of a segment, the four CLIP region streams
    (subject, object, union box, whole frame) are projected to
    ``embed_dims``. With descriptions, :class:`SemanticEnhancement` adds
    the text-queried visual feature of each perspective (Eq. 4-5). Per
    frame, a spatial transformer attends over the four stream tokens and a
    motion token (MLP of the box-trajectory features); its subject and
    object outputs (mean over the valid frames) feed the object
    classifier. A temporal transformer then runs along the frames of each
    stream (learned frame positions, padded frames masked) and the
    frame-mean of each stream is concatenated into ``V_vr`` (Eq. 6).

    Args:
        in_dims (int): CLIP region feature size (512 for ViT-B/16).
        motion_dims (int): Motion feature size.
        text_dims (int): Description feature size (the CLIP text encoder's
            embedding, 512). Defaults to 512.
        embed_dims (int): Transformer width. Defaults to 512.
        num_heads (int): Attention heads. Defaults to 8.
        spatial_layers (int): Spatial transformer blocks (1 VidVRD, 2
            VidOR); 0 is the "w/o Spa" ablation. Defaults to 1.
        temporal_layers (int): Temporal transformer blocks; 0 is "w/o Tem".
            Defaults to 1.
        dropout (float): Dropout of every attention block. Defaults to 0.1.
        ffn_ratio (int): Feed-forward width / ``embed_dims``. Defaults
            to 4.
        max_frames (int): Longest frame axis (temporal positions).
            Defaults to 32.
        semantic_enhancement (bool): Build the description branch; False is
            the "w/o SE" ablation. With True and a batch without
            ``description_feats`` the branch is skipped (a warning is
            logged once). Defaults to True.
        fusion (str): How descriptions join the visual streams:
            ``'cross_attention'`` (SAGE), or Fig. 3's ``'sum'``,
            ``'concat'``, ``'gated'``. Defaults to ``'cross_attention'``.
        visual_adapter (dict, optional): An adapter of the frozen CLIP
            region features (e.g. ``dict(type='CLIPAdapter')``; its
            ``in_dims`` is ``in_dims``), shared by the four streams and
            applied before their projection: the "visual adapter" of SAGE's
            Table 6 as we read it (the paper does not define it). Part of
            the encoder, so it trains in stage 1 and is frozen with the
            encoder in stage 2. Defaults to None (no adapter, no
            parameters).
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 in_dims: int,
                 motion_dims: int,
                 text_dims: int = 512,
                 embed_dims: int = 512,
                 num_heads: int = 8,
                 spatial_layers: int = 1,
                 temporal_layers: int = 1,
                 dropout: float = 0.1,
                 ffn_ratio: int = 4,
                 max_frames: int = 32,
                 semantic_enhancement: bool = True,
                 fusion: str = 'cross_attention',
                 visual_adapter: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_dims, self.motion_dims = in_dims, motion_dims
        self.text_dims, self.embed_dims = text_dims, embed_dims
        self.max_frames = max_frames
        self.visual_proj = nn.Linear(in_dims, embed_dims)
        self.stream_embed = nn.Parameter(
            torch.randn(len(STREAMS) + 1, embed_dims) * 0.02)
        self.motion_mlp = nn.Sequential(
            nn.Linear(motion_dims, embed_dims), nn.ReLU(inplace=True),
            nn.Linear(embed_dims, embed_dims))
        self.enhancement = None
        if semantic_enhancement:
            self.text_proj = nn.Linear(text_dims, embed_dims)
            self.enhancement = SemanticEnhancement(embed_dims, num_heads,
                                                   dropout, ffn_ratio, fusion)
        self.spatial = transformer_stack(embed_dims, num_heads, spatial_layers,
                                         dropout, ffn_ratio)
        self.frame_embed = nn.Parameter(
            torch.randn(max_frames, embed_dims) * 0.02)
        self.temporal = transformer_stack(embed_dims, num_heads,
                                          temporal_layers, dropout, ffn_ratio)
        # built last, and only when asked for: the other parameters and the
        # random state they consume stay those of the model without it
        self.visual_adapter = None if visual_adapter is None else \
            MODELS.build(dict(visual_adapter, in_dims=in_dims))
        self._warned = False

    @property
    def out_dims(self) -> int:
        """Size of ``V_vr``: four concatenated streams."""
        return len(STREAMS) * self.embed_dims

    def _check(self, inputs: Dict[str, torch.Tensor]) -> None:
        num, frames = inputs['pair_mask'].shape
        if frames > self.max_frames:
            raise ValueError(f'{frames} frames per segment, more than '
                             f'max_frames={self.max_frames}')
        for key in ('subject_feats', 'object_feats', 'union_feats',
                    'frame_feats'):
            check_features(key, inputs.get(key), (num, frames, self.in_dims))
        check_features('motion_feats', inputs.get('motion_feats'),
                       (num, frames, self.motion_dims))
        if inputs.get('description_feats') is not None:
            check_features('description_feats', inputs['description_feats'],
                           (num, len(STREAMS), self.text_dims))

    def _enhance(self, visual, inputs, mask):
        text = inputs.get('description_feats')
        if self.enhancement is None:
            return visual
        if text is None:
            if not self._warned:
                print_log(
                    'SAGERelationEncoder: no description_feats in the '
                    'batch, running without semantic enhancement',
                    logger='current',
                    level=30)
                self._warned = True
            return visual
        text = self.text_proj(text) + self.stream_embed[:len(STREAMS)]
        return self.enhancement(visual, text, mask)

    def forward(self, inputs: Dict[str, torch.Tensor]) -> Dict:
        """Relation and object features of N pairs.

        Args:
            inputs (dict): Per pair (N = pairs): ``subject_feats``,
                ``object_feats``, ``union_feats``, ``frame_feats`` (the
                pair's segment frames) (N, T, in_dims), ``motion_feats``
                (N, T, motion_dims), ``pair_mask`` (N, T) bool, optional
                ``description_feats`` (N, 4, text_dims).

        Returns:
            dict: ``relation`` (N, 4 x embed_dims) = V_vr, ``subject`` and
            ``object`` (N, embed_dims) spatial features.
        """
        self._check(inputs)
        mask = inputs['pair_mask'].bool()
        num, frames = mask.shape
        if num == 0:  # segments without pairs (e.g. no tracklets)
            empty = inputs['subject_feats'].new_zeros((0, self.embed_dims))
            return dict(
                relation=empty.repeat(1, len(STREAMS)),
                subject=empty,
                object=empty)
        visual = torch.stack(
            [inputs[f'{key}_feats']
             for key in ('subject', 'object', 'union')] +
            [inputs['frame_feats']],
            dim=2)
        if self.visual_adapter is not None:
            visual = self.visual_adapter(visual)
        visual = self.visual_proj(visual) + self.stream_embed[:len(STREAMS)]
        visual = self._enhance(visual, inputs, mask)
        motion = self.motion_mlp(inputs['motion_feats']) + \
            self.stream_embed[len(STREAMS)]
        tokens = torch.cat([visual, motion[:, :, None]], dim=2)
        spatial = self.spatial(tokens.flatten(0,
                                              1)).view(num, frames,
                                                       len(STREAMS) + 1,
                                                       self.embed_dims)
        streams = spatial[:, :, :len(STREAMS)].transpose(1, 2)
        streams = streams + self.frame_embed[:frames]
        padding = ~mask[:, None].expand(-1, len(STREAMS), -1).flatten(0, 1)
        temporal = self.temporal(
            streams.flatten(0, 1),
            src_key_padding_mask=padding).view(num, len(STREAMS), frames,
                                               self.embed_dims)
        pooled = masked_mean(
            temporal,
            mask[:, None].expand_as(padding.view(num, len(STREAMS), frames)),
            dim=2)
        return dict(
            relation=pooled.flatten(1),
            subject=masked_mean(spatial[:, :, 0], mask, dim=1),
            object=masked_mean(spatial[:, :, 1], mask, dim=1))
