import os.path as osp
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ..node_feature_cache import (feature_file, random_node_features,
                                  read_node_features)

SOURCES = ('file', 'annotation', 'random')


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
      object class plus per-video noise), for runs without features.

    Required keys: ``video_id``, ``keyframe_inds`` (N, ), ``node_mask``
    (N, M), ``all_frame_inds`` (K, ), ``video_slot_classes`` (S, ),
    ``box_mask`` (K, S); ``num_object_classes`` for ``'random'``.

    Added key: ``node_feats`` float32 (N, M, D), 0 where ``node_mask`` is
    False (absent objects, padded slots and frames).

    Args:
        source (str): ``'file'``, ``'annotation'`` or ``'random'``.
            Defaults to 'file'.
        feature_dir (str, optional): Folder of the feature files
            (``'file'``).
        feat_dim (int): D of ``'random'``. Defaults to 512.
        seed (int): Seed of ``'random'``. Defaults to 0.
    """

    def __init__(self,
                 source: str = 'file',
                 feature_dir: Optional[str] = None,
                 feat_dim: int = 512,
                 seed: int = 0) -> None:
        if source not in SOURCES:
            raise ValueError(f'source must be one of {SOURCES}, got '
                             f'{source!r}')
        if source == 'file' and not feature_dir:
            raise ValueError("source='file' needs feature_dir")
        if source == 'file' and not osp.isdir(feature_dir):
            raise FileNotFoundError(
                f'feature_dir {feature_dir!r} does not exist; run '
                'tools/proda/extract_node_features.py to write it')
        self.source = source
        self.feature_dir = feature_dir
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
            return random_node_features(video,
                                        results['num_object_classes'],
                                        self.feat_dim, self.seed)
        feats = results.get('node_feats')
        expected = results['box_mask'].shape
        if feats is None or np.shape(feats)[:2] != expected:
            raise ValueError(f'video {results["video_id"]!r}: no in-memory '
                             f'node_feats of shape {expected + ("D", )} in '
                             'the annotation')
        return np.asarray(feats, np.float32)

    def transform(self, results: Dict) -> Dict:
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
