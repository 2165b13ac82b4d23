import os.path as osp
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ..node_feature_cache import (feature_file, random_node_features,
                                  read_node_features)

SOURCES = ('file', 'annotation', 'random', 'clip')


@TRANSFORMS.register_module()
class LoadSceneGraphNodeFeatures(BaseTransform):
    """Node features of the frames :class:`SampleSceneGraphFrames` chose.

    Sources:

    - ``'file'``: ``<feature_dir>/<video_id>.pkl`` written by
      ``tools/proda/extract_node_features.py`` (CLIP RoI features) or the
      synthetic generator; a missing or stale file is an error naming it;
    - ``'annotation'``: the video's ``node_feats`` (K, S, D) stored in the
      annotation itself (in memory);
    - ``'random'``: :func:`random_node_features` (a fixed random vector per
      object class plus per-video noise), for runs without features;
    - ``'clip'``: computed on the fly from ``<video_dir>/<video_id>.mp4``
      as ``tools/proda/extract_node_features.py`` computes them (CLIP is
      loaded once per worker; slow on CPU, for small runs and checks).

    Required keys: ``video_id``, ``keyframe_inds`` (N, ), ``node_mask``
    (N, M), ``all_frame_inds`` (K, ), ``video_slot_classes`` (S, ),
    ``box_mask`` (K, S); ``num_object_classes`` for ``'random'``;
    ``frame_inds`` (N, ), ``boxes`` (N, M, 4) and ``img_shape`` for
    ``'clip'``.

    Added key: ``node_feats`` float32 (N, M, D), 0 where ``node_mask`` is
    False (absent objects, padded slots and frames).

    Args:
        source (str): ``'file'``, ``'annotation'`` or ``'random'``.
            Defaults to 'file'.
        feature_dir (str, optional): Folder of the feature files
            (``'file'``).
        feat_dim (int): D of ``'random'``. Defaults to 512.
        seed (int): Seed of ``'random'``. Defaults to 0.
        clip (dict, optional): For ``'clip'``: ``pretrained`` (local CLIP
            weights, required), ``video_dir`` (required), ``grid``
            (``'projected'``), ``image_size`` (224), ``roi_size`` (7).
    """

    def __init__(self,
                 source: str = 'file',
                 feature_dir: Optional[str] = None,
                 feat_dim: int = 512,
                 seed: int = 0,
                 clip: Optional[dict] = None) -> None:
        if source not in SOURCES:
            raise ValueError(f'source must be one of {SOURCES}, got '
                             f'{source!r}')
        if source == 'file' and not feature_dir:
            raise ValueError("source='file' needs feature_dir")
        if source == 'file' and not osp.isdir(feature_dir):
            raise FileNotFoundError(
                f'feature_dir {feature_dir!r} does not exist; run '
                'tools/proda/extract_node_features.py to write it')
        if source == 'clip' and not {'pretrained', 'video_dir'} <= set(clip
                                                                       or {}):
            raise ValueError("source='clip' needs clip=dict(pretrained=..., "
                             'video_dir=...)')
        self.source = source
        self.feature_dir = feature_dir
        self.clip = dict(clip or {})
        self._extractor = None
        self.feat_dim = feat_dim
        self.seed = seed

    def _video_features(self, results: Dict) -> np.ndarray:
        """(K, S, D) features of all the video's keyframes."""
        video = dict(
            video_id=results['video_id'],
            frame_inds=results['all_frame_inds'],
            slot_classes=results['video_slot_classes'],
            box_mask=results['box_mask'])
        if self.source == 'file':
            return read_node_features(
                feature_file(self.feature_dir, results['video_id']), video)
        if self.source == 'random':
            return random_node_features(video, results['num_object_classes'],
                                        self.feat_dim, self.seed)
        feats = results.get('node_feats')
        expected = results['box_mask'].shape
        if feats is None or np.shape(feats)[:2] != expected:
            raise ValueError(f'video {results["video_id"]!r}: no in-memory '
                             f'node_feats of shape {expected + ("D", )} in '
                             'the annotation')
        return np.asarray(feats, np.float32)

    def _clip_features(self, results: Dict) -> np.ndarray:
        """(N, M, D) CLIP RoI features of the sampled frames."""
        from ..node_feature_extraction import (NodeFeatureExtractor,
                                               read_video_frames)
        if self._extractor is None:
            from ...models.text_encoders import CLIPVisionEncoder
            encoder = CLIPVisionEncoder(
                pretrained=self.clip['pretrained'],
                patch_grid=self.clip.get('grid', 'projected'),
                frozen=True)
            self._extractor = NodeFeatureExtractor(
                encoder, self.clip.get('image_size', 224),
                self.clip.get('roi_size', 7))
        video_id = results['video_id']
        frames = read_video_frames(
            osp.join(self.clip['video_dir'], f'{video_id}.mp4'),
            np.maximum(results['frame_inds'], 0), video_id)
        return self._extractor(
            frames,
            dict(
                video_id=video_id,
                img_shape=results['img_shape'],
                boxes=results['boxes'],
                box_mask=results['node_mask']))

    def transform(self, results: Dict) -> Dict:
        if self.source == 'clip':
            results['node_feats'] = self._clip_features(results)
            return results
        feats = self._video_features(results)
        pos = results['keyframe_inds']
        mask = results['node_mask']
        num_frames, num_slots = mask.shape
        out = np.zeros((num_frames, num_slots, feats.shape[-1]), np.float32)
        out[:, :feats.shape[1]] = feats[np.maximum(pos, 0)]
        out *= mask[..., None]
        results['node_feats'] = out
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(source={self.source!r}, '
                f'feature_dir={self.feature_dir!r}, '
                f'feat_dim={self.feat_dim}, seed={self.seed})')
