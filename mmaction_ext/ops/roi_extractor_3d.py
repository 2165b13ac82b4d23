"""RoI feature extractor for spatio-temporal detectors, without mmcv.ops.

MMAction2's ``SingleRoIExtractor3D`` (AVA-style detectors) imports
``RoIAlign`` from ``mmcv.ops``, which mmcv-lite lacks, and mmdet's
``SingleRoIExtractor`` resolves ``roi_layer=dict(type='RoIAlign')`` through
``mmcv.ops`` as well. ``RoIExtractor3D`` takes either configuration and
builds :class:`~mmaction_ext.ops.RoIAlign` (our backends) instead.
"""
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn

from .roi_align import RoIAlign


def _register_in_mmdet(cls):
    """Also register in mmdet's registry, where AVARoIHead builds children."""
    try:
        from mmdet.registry import MODELS as MMDET_MODELS
    except ImportError:
        return cls
    if cls.__name__ not in MMDET_MODELS.module_dict:
        MMDET_MODELS.register_module(module=cls)
    return cls


@_register_in_mmdet
@MODELS.register_module()
class RoIExtractor3D(nn.Module):
    """Extract RoI features from a single-level (N, C, T, H, W) feature map.

    Arguments mirror MMAction2's ``SingleRoIExtractor3D``; alternatively an
    mmdet-style ``roi_layer=dict(type='RoIAlign', output_size=7,
    sampling_ratio=0, ...)`` sets the RoI layer (its keys win).

    Args:
        roi_layer_type (str): Only 'RoIAlign'. Defaults to 'RoIAlign'.
        featmap_stride (int): Stride of the feature map; spatial scale is
            ``1 / featmap_stride``. Defaults to 16.
        output_size (int | tuple[int, int]): RoI output size. Defaults to 16.
        sampling_ratio (int): Points per bin per axis, 0 = adaptive.
            Defaults to 0.
        pool_mode (str): 'avg' or 'max' inside a bin. Defaults to 'avg'.
        aligned (bool): Pixel-aligned RoIAlign. Defaults to True.
        with_temporal_pool (bool): Pool the time axis before RoIAlign.
            Defaults to True.
        temporal_pool_mode (str): 'avg' or 'max'. Defaults to 'avg'.
        with_global (bool): Concatenate the globally pooled frame feature
            to each RoI's. Defaults to False.
        roi_layer (dict, optional): mmdet-style RoI layer config. Defaults
            to None.
        backend (str): Backend forced on the RoIAlign layer, or 'auto'.

    Shapes:
        feat (N, C, T, H, W) or a tuple of such, rois (R, 5) ->
        (roi_feats (R, C', T', out_h, out_w), feat (N, C', T', H, W)).
    """

    def __init__(self,
                 roi_layer_type='RoIAlign',
                 featmap_stride=16,
                 output_size=16,
                 sampling_ratio=0,
                 pool_mode='avg',
                 aligned=True,
                 with_temporal_pool=True,
                 temporal_pool_mode='avg',
                 with_global=False,
                 roi_layer=None,
                 backend='auto'):
        super().__init__()
        layer = dict(
            output_size=output_size,
            sampling_ratio=sampling_ratio,
            pool_mode=pool_mode,
            aligned=aligned)
        if roi_layer is not None:
            roi_layer = dict(roi_layer)
            roi_layer_type = roi_layer.pop('type', 'RoIAlign')
            layer.update(roi_layer)
        if roi_layer_type != 'RoIAlign':
            raise ValueError(f'RoIExtractor3D: only RoIAlign is available '
                             f'without mmcv.ops, got {roi_layer_type!r}')
        if temporal_pool_mode not in ('avg', 'max'):
            raise ValueError(f'RoIExtractor3D: `temporal_pool_mode` must be '
                             f"'avg' or 'max', got {temporal_pool_mode!r}")
        self.featmap_stride = featmap_stride
        self.with_temporal_pool = with_temporal_pool
        self.temporal_pool_mode = temporal_pool_mode
        self.with_global = with_global
        self.roi_layer = RoIAlign(
            spatial_scale=1. / featmap_stride, backend=backend, **layer)
        self.output_size = self.roi_layer.output_size
        self.global_pool = nn.AdaptiveAvgPool2d(self.output_size)

    def _merge_levels(self, feat):
        if not isinstance(feat, tuple):
            feat = (feat, )
        if len(feat) >= 2:
            size = (max(x.shape[2] for x in feat), ) + tuple(feat[0].shape[3:])
            feat = [F.interpolate(x, size).contiguous() for x in feat]
        if self.with_temporal_pool:
            if self.temporal_pool_mode == 'avg':
                feat = [x.mean(2, keepdim=True) for x in feat]
            else:
                feat = [x.amax(2, keepdim=True) for x in feat]
        return torch.cat(list(feat), dim=1).contiguous()

    def forward(self, feat, rois):
        feat = self._merge_levels(feat)
        batch, channels, frames, height, width = feat.shape
        # All frames in one RoIAlign call: frame t of clip b is image
        # b * T + t, so RoI r of clip b repeats with those indices.
        frames_first = feat.transpose(1, 2).reshape(batch * frames, channels,
                                                    height, width)
        steps = torch.arange(frames, device=rois.device, dtype=rois.dtype)
        frame_rois = rois[:, None].repeat(1, frames, 1)
        frame_rois[..., 0] = rois[:, None, 0] * frames + steps
        roi_feats = self.roi_layer(frames_first, frame_rois.view(-1, 5))
        roi_feats = roi_feats.view(rois.shape[0], frames, *roi_feats.shape[1:])
        if self.with_global:
            pooled = self.global_pool(frames_first).view(
                batch, frames, channels, *self.output_size)
            pooled = pooled[rois[:, 0].long()]
            roi_feats = torch.cat([roi_feats, pooled], dim=2)
        return roi_feats.transpose(1, 2).contiguous(), feat
