from typing import Dict, Optional, Tuple

import torch
from mmaction.models.recognizers import Recognizer3D
from mmaction.registry import MODELS


@MODELS.register_module()
class A2ORecognizer(Recognizer3D):
    """Video recognizer with object likelihood maps (A2O, Sekii and Sato).

    Inputs come from :class:`LikelihoodMapDataPreprocessor`: one (N,
    num_clips, 3 + K, T, H, W) tensor whose channels 0-2 are normalised RGB
    and 3.. the K likelihood maps in [0, 1]. The ``adapter``
    (:class:`LikelihoodMapAdapter`) fuses the maps into the frames, then the
    backbone (:class:`VJEPA2`, or MMAction2's ``VisionTransformer`` with
    ``return_feat_map=True``) and the head (:class:`AttentiveProbeHead`)
    classify as in ``Recognizer3D``. Without an adapter the input must be
    plain RGB (K = 0): the V-JEPA 2 baseline.

    ``clips_per_view > 1`` follows V-JEPA 2's multi-clip protocol: the
    tokens of that many consecutive clips (the temporal segments of one
    spatial view, as ``SampleFrames(num_clips=...)`` then ``ThreeCrop``
    order them) are concatenated before the probe, so one score comes per
    view; the pipeline's ``num_clips`` must equal it in training.

    Args:
        backbone (dict): Backbone config returning tokens (B, L, C) or a
            feature map (B, C, T, H, W).
        cls_head (dict): Head config, e.g. :class:`AttentiveProbeHead`.
        adapter (dict, optional): :class:`LikelihoodMapAdapter` config.
            Defaults to None.
        clips_per_view (int): Clips whose tokens are concatenated. Defaults
            to 1.
        **kwargs: Other arguments of ``Recognizer3D`` (``neck``,
            ``train_cfg``, ``test_cfg``, ``data_preprocessor``, ...).
    """

    def __init__(self,
                 backbone: Dict,
                 cls_head: Dict,
                 adapter: Optional[Dict] = None,
                 clips_per_view: int = 1,
                 **kwargs) -> None:
        super().__init__(backbone=backbone, cls_head=cls_head, **kwargs)
        self.adapter = MODELS.build(adapter) if adapter else None
        if clips_per_view < 1:
            raise ValueError(
                f'clips_per_view must be >= 1, got {clips_per_view}')
        self.clips_per_view = clips_per_view
        self._check_channels()

    def _check_channels(self) -> None:
        expected = getattr(self.backbone, 'in_channels', None)
        projection = getattr(
            getattr(self.backbone, 'patch_embed', None), 'projection', None)
        if expected is None and projection is not None:
            expected = projection.in_channels  # MMAction2's ViT
        fused = 3 if self.adapter is None else self.adapter.fused_channels
        if expected is not None and expected != fused:
            raise ValueError(
                f'the backbone takes {expected} input channels but the '
                f'adapter gives {fused}: with fuse=\'concat\' set the '
                'backbone\'s in_channels to 3 + num_object_classes')

    @property
    def num_object_classes(self) -> int:
        """K, the number of likelihood-map channels the model expects."""
        return 0 if self.adapter is None else self.adapter.in_channels

    def fuse_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """Split the map channels off and fuse them into the frames.

        Args:
            inputs (torch.Tensor): (B, 3 + K, T, H, W) clips.

        Returns:
            torch.Tensor: (B, C, T, H, W) backbone input.
        """
        channels = inputs.shape[1]
        if channels != 3 + self.num_object_classes:
            raise ValueError(
                f'the model expects 3 RGB + {self.num_object_classes} map '
                f'channels (num_object_classes) but the input has '
                f'{channels}; maps computed for another class list?')
        if self.adapter is None:
            return inputs
        return self.adapter(inputs[:, :3], inputs[:, 3:])

    def _concat_clip_tokens(self, feats: torch.Tensor) -> torch.Tensor:
        if feats.dim() == 5:  # (B, C, T, H, W) map -> (B, THW, C) tokens
            feats = feats.flatten(2).transpose(1, 2)
        if self.clips_per_view == 1:
            return feats
        clips, tokens, width = feats.shape
        return feats.reshape(clips // self.clips_per_view,
                             self.clips_per_view * tokens, width)

    def extract_feat(self,
                     inputs: torch.Tensor,
                     stage: str = 'neck',
                     data_samples=None,
                     test_mode: bool = False) -> Tuple:
        """Fuse the maps, run ``Recognizer3D.extract_feat``, group clips.

        Args:
            inputs (torch.Tensor): (N, num_clips, 3 + K, T, H, W) clips.
            stage (str): ``'backbone'``, ``'neck'`` or ``'head'``.
            data_samples (list, optional): The batch data samples.
            test_mode (bool): Whether in test mode.

        Returns:
            tuple: Features (or head scores for ``stage='head'``) and the
            loss / predict kwargs, as in ``Recognizer3D``.
        """
        leading = inputs.shape[:2]
        if leading[1] % self.clips_per_view:
            raise ValueError(
                f'each sample has {leading[1]} clips, not a multiple of '
                f'clips_per_view={self.clips_per_view}: set the pipeline\'s '
                'SampleFrames(num_clips=...) to clips_per_view')
        fused = self.fuse_maps(inputs.flatten(0, 1))
        fused = fused.reshape(leading + fused.shape[1:])
        stop = 'neck' if stage == 'head' else stage
        feats, kwargs = super().extract_feat(
            fused, stage=stop, data_samples=data_samples, test_mode=test_mode)
        feats = self._concat_clip_tokens(feats)
        if stage == 'head':
            return self.cls_head(feats, **kwargs), kwargs
        return feats, kwargs
