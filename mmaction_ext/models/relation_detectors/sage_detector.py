from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModel

from ...datasets.vidvrd_segments import pair_relation_span
from ..utils.relation_triplets import segment_triplets

OBJECT_LABELS = ('predict', 'given')
TARGET_KEYS = ('relation_targets', 'subject_labels', 'object_labels')
BOX_KEYS = ('subject_boxes', 'object_boxes')


@MODELS.register_module()
class SAGEDetector(BaseModel):
    """SAGE: open-vocabulary video relation detection on segments.

    One sample is one segment with P subject-object pairs (see
    :class:`RelationDataPreprocessor`); the valid pairs of a batch run
    through the ``encoder`` (:class:`SAGERelationEncoder`) and the ``head``
    (:class:`SAGEHead`). ``predict`` turns each segment's pair scores into
    scored triplets with their trajectories (``pred_relations``, the
    prediction format of :class:`VidVRDMetric`); joining segments into
    video relations is left to the evaluation (greedy association).

    Two-stage training (SAGE Sec. 3.6): ``frozen_modules`` names submodules
    whose parameters get ``requires_grad=False`` and that stay in eval mode
    (stage 1: the prompt learner; stage 2: the visual side).

    Data samples are :class:`VidVRDSegmentDataset`'s: for training
    ``relation_targets`` (P, R_train) and ``subject_labels`` /
    ``object_labels`` (P, ) in the training classes' label space (see
    :class:`SAGEHead`); for ``predict`` ``segment`` (begin, end),
    ``subject_boxes`` / ``object_boxes`` (P, L, 4) pixel boxes of the
    segment's frames (NaN where absent; a relation spans the frames from
    the first to the last with both, gaps interpolated), plus, with
    ``object_labels='given'`` (PredCls), the labels (indices of all the
    dataset's objects) and optionally ``subject_scores`` /
    ``object_scores`` (default 1).

    Args:
        encoder (dict): Relation encoder config.
        head (dict): Head config.
        data_preprocessor (dict, optional): Defaults to
            :class:`RelationDataPreprocessor`.
        frozen_modules (Sequence[str]): Submodule names to freeze.
            Defaults to none.
        test_cfg (dict, optional): ``object_labels`` (``'predict'``: SGDet
            and SGCls; ``'given'``: PredCls, score 1), ``pred_topk`` (10),
            ``seg_topk`` (200), ``score_merge`` (``'mean'``),
            ``use_interaction`` (True: predicate scores times the
            interaction probability, as OV-MMP).
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 encoder: Dict,
                 head: Dict,
                 data_preprocessor: Optional[Dict] = None,
                 frozen_modules: Sequence[str] = (),
                 test_cfg: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        if not isinstance(data_preprocessor, torch.nn.Module):
            data_preprocessor = MODELS.build(
                data_preprocessor or dict(type='RelationDataPreprocessor'))
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.encoder = MODELS.build(encoder)
        self.head = MODELS.build(
            dict(
                head,
                in_dims=self.encoder.out_dims,
                object_in_dims=self.encoder.embed_dims))
        self.test_cfg = dict(
            object_labels='predict',
            pred_topk=10,
            seg_topk=200,
            score_merge='mean',
            use_interaction=True)
        self.test_cfg.update(test_cfg or {})
        if self.test_cfg['object_labels'] not in OBJECT_LABELS:
            raise ValueError(f'test_cfg.object_labels must be one of '
                             f'{OBJECT_LABELS}, got '
                             f'{self.test_cfg["object_labels"]!r}')
        self.frozen_modules = tuple(frozen_modules)
        for name in self.frozen_modules:
            self._submodule(name).requires_grad_(False)

    def _submodule(self, name: str) -> torch.nn.Module:
        try:
            return self.get_submodule(name)
        except AttributeError:
            raise ValueError(f'frozen_modules names {name!r}, which '
                             f'{type(self).__name__} does not have') from None

    def train(self, mode: bool = True):
        super().train(mode)
        for name in self.frozen_modules:
            self._submodule(name).eval()
        return self

    def extract_feat(self, inputs: Dict[str, torch.Tensor]) -> Dict:
        """Encoder features of the valid pairs, batch-major order."""
        batch, pair = inputs['pair_valid'].nonzero(as_tuple=True)
        pairs = {
            key: value[batch, pair]
            for key, value in inputs.items()
            if key not in ('pair_valid', 'frame_feats')
        }
        pairs['frame_feats'] = inputs['frame_feats'][batch]
        return self.encoder(pairs)

    def forward(self,
                inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs)
        raise RuntimeError(f'Invalid mode "{mode}".')

    def loss(self, inputs: Dict[str, torch.Tensor],
             data_samples: List) -> Dict[str, torch.Tensor]:
        """Losses of the batch's pairs (see :meth:`SAGEHead.loss`)."""
        counts = inputs['pair_valid'].sum(1).tolist()
        if not sum(counts):
            raise ValueError(
                'a training batch without subject-object pairs '
                f'(videos {[s.get("video_id") for s in data_samples]})')
        feats = self.extract_feat(inputs)
        targets = {}
        for key in TARGET_KEYS:
            values = [
                torch.as_tensor(_field(s, key, n))
                for n, s in enumerate(data_samples)
            ]
            for n, (value, count) in enumerate(zip(values, counts)):
                if len(value) != count:
                    raise ValueError(f'sample {n}: {key} has {len(value)} '
                                     f'rows for {count} pairs')
            targets[key] = torch.cat(values).to(feats['relation'].device)
        return self.head.loss(feats, targets)

    def predict(self, inputs: Dict[str, torch.Tensor],
                data_samples: List) -> List:
        """Scored segment triplets per sample, in ``pred_relations``."""
        scores = self.head.predict(self.extract_feat(inputs))
        counts = inputs['pair_valid'].sum(1).tolist()
        start = 0
        for n, (sample, count) in enumerate(zip(data_samples, counts)):
            rows = slice(start, start + count)
            start += count
            pair_scores = {
                k: v[rows].detach().cpu()
                for k, v in scores.items()
            }
            sample.pred_pair_scores = pair_scores
            sample.pred_relations = self._relations(pair_scores, sample, n)
        return data_samples

    def _objects(self, scores: torch.Tensor, sample, what: str, n: int):
        """(P, 2) class and score per pair."""
        if self.test_cfg['object_labels'] == 'predict':
            best, label = scores.max(1)
            return torch.stack([label.float(), best], 1)
        labels = torch.as_tensor(_field(sample, f'{what}_labels', n))
        if ((labels < 0) | (labels >= len(self.head.object_names))).any():
            raise ValueError(
                f'sample {n}: {what}_labels {labels.tolist()} are not all '
                f'indices of the {len(self.head.object_names)} objects '
                "(object_labels='given' needs named tracks)")
        given = sample.get(f'{what}_scores', None)
        given = torch.ones(len(labels)) if given is None else \
            torch.as_tensor(given, dtype=torch.float32)
        return torch.stack([labels.float(), given], 1)

    def _relations(self, scores: Dict[str, torch.Tensor], sample,
                   n: int) -> List[dict]:
        relation = scores['relation']
        if self.test_cfg['use_interaction']:
            relation = relation * scores['interaction'][:, None]
        triplets = segment_triplets(
            relation, self._objects(scores['subject'], sample, 'subject', n),
            self._objects(scores['object'], sample, 'object',
                          n), self.test_cfg['pred_topk'],
            self.test_cfg['seg_topk'], self.test_cfg['score_merge'])
        begin = int(_field(sample, 'segment', n)[0])
        sub_boxes, obj_boxes = (
            np.asarray(_field(sample, key, n)) for key in BOX_KEYS)
        spans = {}
        objects, predicates = self.head.object_names, \
            self.head.predicate_names
        relations = []
        for pair, sub, pred, obj, score in triplets:
            if pair not in spans:
                spans[pair] = pair_relation_span(sub_boxes[pair],
                                                 obj_boxes[pair], begin)
            if spans[pair] is None:
                raise ValueError(
                    f'sample {n}: pair {pair} has no frame with both boxes '
                    'in subject_boxes / object_boxes')
            span = spans[pair]
            relations.append(
                dict(
                    triplet=(objects[sub], predicates[pred], objects[obj]),
                    score=score,
                    duration=span['duration'],
                    sub_traj=span['sub_traj'].tolist(),
                    obj_traj=span['obj_traj'].tolist()))
        return relations


def _field(sample, key: str, index: int):
    value = sample.get(key, None)
    if value is None:
        video = sample.get('video_id', None)
        raise KeyError(f'sample {index} (video {video!r}): data sample lacks '
                       f'{key!r}; it has {list(sample.keys())}')
    return value
