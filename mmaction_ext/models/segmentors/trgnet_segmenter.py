import math
from typing import Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.model import BaseModel

from mmaction.registry import MODELS
from mmaction_ext.text import load_text_priors, text_priors_from_embeddings


@MODELS.register_module()
class TRGNetSegmenter(BaseModel):
    """TRG-Net for skeleton temporal action segmentation (Ji et al., 2025).

    Backbone (:class:`TRGNet`) + head (:class:`TRGNetHead`) trained with:
    cross-entropy and GS-TMSE smoothing averaged over the class stages,
    boundary BCE averaged over the boundary stages, and ARIS on the first
    stage's projected feature. The text priors (joint graph, action graph,
    action embeddings) come from two :class:`ClassTextEmbeddings`, the joint
    descriptions and the action descriptions (cached on disk, built on first
    use), or from a file built by ``tools/trgnet/build_text_priors.py``.

    Args:
        backbone (dict): :class:`TRGNet` config (``tjg`` is set from the
            priors).
        head (dict): :class:`TRGNetHead` config (``num_classes`` and
            ``text_dims`` are set from the priors if missing).
        text_priors (str, optional): Priors file (.npz); when given it is
            used instead of ``joint_texts`` and ``action_texts``. Without
            priors the model trains without TJG and ARIS (both need them).
        smoothing_loss (dict, optional): :class:`GSTMSELoss` config; None
            disables it.
        boundary_loss (dict): :class:`BoundaryBCELoss` config. Its
            ``pos_weight`` defaults to None, which
            :class:`BoundaryPosWeightHook` fills in before training.
        aris_loss (dict, optional): :class:`ARISLoss` config; None disables.
        ignore_index (int): Label of padded frames. Defaults to 255.
        data_preprocessor (dict, optional): Defaults to
            ``SegmentationDataPreprocessor``.
        joint_texts (dict, optional): :class:`ClassTextEmbeddings` of the
            joints (e.g. bank ``joints_ntu25``, field ``description``),
            whose relation graph is the TJG.
        action_texts (dict, optional): :class:`ClassTextEmbeddings` of the
            classes in label order (e.g. field ``paragraph``, a background
            text in ``extra_texts``): the action embeddings and the TAG.

    Shapes:
        inputs (N, C, T, V); data samples carry ``gt_frame_labels``,
        ``gt_boundaries`` and ``total_frames``.
    """

    def __init__(self,
                 backbone: Dict,
                 head: Dict,
                 text_priors: Optional[str] = None,
                 smoothing_loss: Optional[Dict] = dict(type='GSTMSELoss'),
                 boundary_loss: Dict = dict(type='BoundaryBCELoss'),
                 aris_loss: Optional[Dict] = dict(type='ARISLoss'),
                 ignore_index: int = 255,
                 data_preprocessor: Optional[Dict] = None,
                 joint_texts: Optional[Dict] = None,
                 action_texts: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor
            or dict(type='SegmentationDataPreprocessor'),
            init_cfg=init_cfg)
        backbone, head = dict(backbone), dict(head)
        priors, source, names = self._text_priors(text_priors, joint_texts,
                                                  action_texts, head)
        # checked against the data by TextClassesCheckHook
        self.text_source = source
        self.text_class_names = names
        if priors is not None:
            backbone.setdefault('tjg', priors['tjg'])
            head.setdefault('num_classes', len(priors['tag']))
            head.setdefault('text_dims', priors['action_embeddings'].shape[1])
        try:
            self.backbone = MODELS.build(backbone)
        except ValueError as err:
            if priors is None or 'text joint graph' not in str(err):
                raise
            raise ValueError(f'{source}: {err}') from err
        self.head = MODELS.build(head)
        self.ignore_index = ignore_index
        self.smoothing_loss = MODELS.build(
            smoothing_loss) if smoothing_loss else None
        self.boundary_loss = MODELS.build(boundary_loss)
        self.aris_loss = None
        if aris_loss is not None and priors is not None:
            self._check_priors(priors, source)
            self.aris_loss = MODELS.build(aris_loss)
            self.register_buffer(
                'action_embeddings',
                torch.as_tensor(priors['action_embeddings']).float())
            self.register_buffer('tag', torch.as_tensor(priors['tag']).float())
            self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    @staticmethod
    def _text_priors(path, joint_texts, action_texts, head):
        """The priors, their source and the class names they describe."""
        if path:  # a file the user built wins over declared texts
            if joint_texts is not None or action_texts is not None:
                print_log(
                    f'text priors from {path}; joint_texts and action_texts '
                    'are not used',
                    logger='current')
            priors = load_text_priors(path)
            return priors, path, [None] * len(priors['tag'])
        if joint_texts is None and action_texts is None:
            return None, None, None
        if joint_texts is None or action_texts is None:
            raise ValueError('TRGNetSegmenter needs both joint_texts and '
                             'action_texts (or a text_priors file)')
        joints = MODELS.build(
            dict(dict(type='ClassTextEmbeddings'), **joint_texts))
        actions_cfg = dict(dict(type='ClassTextEmbeddings'), **action_texts)
        if head.get('num_classes') is not None:
            actions_cfg.setdefault('num_classes', head['num_classes'])
        actions = MODELS.build(actions_cfg)
        priors = text_priors_from_embeddings(joints(), actions())
        source = f'text banks {joints.bank.path} and {actions.bank.path}'
        names = [None] * (len(actions) - len(actions.bank)) + \
            actions.bank.labels
        return priors, source, names

    def _check_priors(self, priors, path) -> None:
        classes = self.head.num_classes
        if priors['tag'].shape != (classes, classes):
            raise ValueError(f'{path}: the action graph is '
                             f'{priors["tag"].shape}, the model has '
                             f'{classes} classes')
        if priors['action_embeddings'].shape[1] != \
                self.head.text_projection.out_channels:
            raise ValueError(f'{path}: action embeddings have '
                             f'{priors["action_embeddings"].shape[1]} dims, '
                             'the head projects to '
                             f'{self.head.text_projection.out_channels}')

    def _targets(self, inputs, data_samples):
        """Mask (N, 1, T), labels (N, T) and boundaries (N, 1, T)."""
        n, _, length, _ = inputs.shape
        mask = inputs.new_zeros(n, 1, length)
        labels = torch.full((n, length),
                            self.ignore_index,
                            dtype=torch.long,
                            device=inputs.device)
        boundaries = inputs.new_zeros(n, 1, length)
        for i, sample in enumerate(data_samples):
            real = int(sample.metainfo['total_frames'])
            mask[i, :, :real] = 1
            if 'gt_frame_labels' in sample:
                labels[i, :real] = sample.gt_frame_labels[:real]
                boundaries[i, 0, :real] = sample.gt_boundaries[:real]
        return mask, labels, boundaries

    def forward(self,
                inputs: torch.Tensor,
                data_samples=None,
                mode: str = 'tensor'):
        mask, labels, boundaries = self._targets(inputs, data_samples or [])
        if not data_samples:
            mask = inputs.new_ones(inputs.shape[0], 1, inputs.shape[2])
        outputs = self.head(self.backbone(inputs, mask), mask)
        if mode == 'tensor':
            return outputs
        if mode == 'loss':
            return self.loss(outputs, inputs, mask, labels, boundaries)
        if mode == 'predict':
            return self.predict(outputs, data_samples)
        raise RuntimeError(f'invalid mode {mode!r}')

    def loss(self, outputs, inputs, mask, labels, boundaries) -> Dict:
        features = inputs.permute(0, 1, 3, 2).flatten(1, 2)  # (N, C*V, T)
        cls_terms, smooth_terms = [], []
        for scores in outputs['class_stages']:
            cls_terms.append(
                F.cross_entropy(
                    scores, labels, ignore_index=self.ignore_index))
            if self.smoothing_loss is not None:
                smooth_terms.append(
                    self.smoothing_loss(scores, features, mask))
        losses = dict(loss_cls=torch.stack(cls_terms).mean())
        if smooth_terms:
            losses['loss_smooth'] = torch.stack(smooth_terms).mean()
        losses['loss_boundary'] = torch.stack([
            self.boundary_loss(logits, boundaries, mask)
            for logits in outputs['boundary_stages']
        ]).mean()
        if self.aris_loss is not None:
            losses.update(
                self.aris_loss(outputs['text_feature'], labels,
                               self.action_embeddings, self.tag,
                               self.logit_scale))
        return losses

    def predict(self, outputs, data_samples) -> List:
        scores = outputs['class_stages'][-1]
        boundary = outputs['boundary_stages'][-1][:, 0]
        for i, sample in enumerate(data_samples):
            real = int(sample.metainfo['total_frames'])
            sample.pred_frame_scores = scores[i, :, :real].detach()
            sample.pred_boundary_logits = boundary[i, :real].detach()
            sample.pred_frame_labels = scores[i, :, :real].argmax(0)
            if 'gt_frame_labels' in sample:
                sample.gt_frame_labels = sample.gt_frame_labels[:real]
        return data_samples
