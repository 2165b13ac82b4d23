from typing import Dict, Optional

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS
from ..vidvrd_annotation import VidVRDFormatError
from ..vidvrd_descriptions import VideoDescriptionFeatures, check_teacher
from ..vidvrd_features import VideoFeatures, motion_features

# per-pair sample fields, as tensors for the model (algorithm_keys)
TENSOR_FIELDS = dict(
    pair_tids=torch.long,
    subject_labels=torch.long,
    object_labels=torch.long,
    subject_scores=torch.float32,
    object_scores=torch.float32,
    subject_boxes=torch.float32,
    object_boxes=torch.float32,
    relation_targets=torch.float32)


@TRANSFORMS.register_module()
class LoadVidVRDSegmentFeatures(BaseTransform):
    """Load a segment's cached CLIP region features and pair motion.

    Reads ``results['feature_file']`` (written by
    ``tools/sage/extract_features.py``; format in
    :mod:`mmaction_ext.datasets.vidvrd_features`) for the sample of
    :class:`VidVRDSegmentDataset` and adds, for its P pairs and T sampled
    frames:

    * ``subject_feats``, ``object_feats``, ``union_feats``: float32
      (P, T, D), zeros where ``pair_mask`` is False;
    * ``frame_feats``: float32 (T, D);
    * ``motion_feats``: float32 (P, T, 17) (see
      :func:`~mmaction_ext.datasets.vidvrd_features.motion_features`);
    * with ``with_descriptions``: ``description_feats`` float32
      (P, 4, Dt), the encoded subject, object, union and global
      descriptions of ``results['description_file']`` (written by
      ``tools/sage/describe_pairs.py``). When the sample names a
      ``description_teacher`` (the dataset's ``teacher``), a file that
      records another teacher, or none, is an error naming it: a config
      never mixes two teachers' descriptions.

    It also turns the per-pair fields of the sample (``pair_tids``,
    ``subject_labels``, ``object_labels`` int64; ``subject_scores``,
    ``object_scores``, ``subject_boxes``, ``object_boxes``,
    ``relation_targets`` float32) into tensors, ready for
    ``PackActionInputs(algorithm_keys=...)``.

    The last file read is kept, so consecutive segments of a video read
    it once.

    Args:
        with_descriptions (bool): Load ``description_feats``. Defaults to
            False (the "w/o SE" setting).
        feature_dims (int, optional): Expected D; a file with another size
            is an error naming it. Defaults to None (any).
    """

    def __init__(self,
                 with_descriptions: bool = False,
                 feature_dims: Optional[int] = None) -> None:
        self.with_descriptions = with_descriptions
        self.feature_dims = feature_dims
        self._features = None
        self._descriptions = None

    def _video_features(self, path: str, video_id: str) -> VideoFeatures:
        if self._features is None or self._features.path != path:
            features = VideoFeatures(path, video_id)
            if self.feature_dims is not None and \
                    features.dims != self.feature_dims:
                raise VidVRDFormatError(
                    f'{path}: video {video_id!r}: features have '
                    f'{features.dims} dims, the config expects '
                    f'{self.feature_dims}')
            self._features = features
        return self._features

    def _video_descriptions(self, path: str, video_id: str):
        if self._descriptions is None or self._descriptions.path != path:
            self._descriptions = VideoDescriptionFeatures(path, video_id)
        return self._descriptions

    def transform(self, results: Dict) -> Dict:
        video_id = results['video_id']
        pair_tids = results['pair_tids']
        frames = np.asarray(results['frame_inds'])
        mask = results['pair_mask']
        features = self._video_features(results['feature_file'], video_id)
        (results['subject_feats'], results['object_feats'],
         results['union_feats'],
         results['frame_feats']) = features.gather(pair_tids, frames, mask)
        local = frames - results['segment'][0]
        results['motion_feats'] = motion_features(
            results['subject_boxes'][:, local], results['object_boxes'][:,
                                                                        local],
            mask, results['width'], results['height'])
        if self.with_descriptions:
            texts = self._video_descriptions(results['description_file'],
                                             video_id)
            check_teacher(texts.teacher, results.get('description_teacher'),
                          texts.path, video_id)
            results['description_feats'] = texts.gather(
                results['segment'], pair_tids)
        for key, dtype in TENSOR_FIELDS.items():
            results[key] = torch.as_tensor(results[key], dtype=dtype)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(with_descriptions='
                f'{self.with_descriptions}, feature_dims='
                f'{self.feature_dims})')
