from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from mmaction_ext.datasets.vidvrd_classes import load_vocabulary

TRAIN_CLASSES = ('base', 'all')


@MODELS.register_module()
class SAGEHead(BaseModule):
    """SAGE's classifiers and losses (Sec. 3.5-3.6, Eq. 10-15).

    * Relations: ``sigmoid(cos(W_r V_vr, F'_L,r) / tau)`` (Eq. 11) against
      the prompt learner's class embeddings ``F'_L`` (with
      ``learn_prompts``; stage 2) or the frozen CLIP embeddings of the
      predicate names ``W_clip`` (stage 1, and the "w/o CE" ablation);
      sigmoid focal loss (Eq. 12).
    * Objects: ``cos(W_o F_{s,o}, W_obj,c) / tau_obj`` against frozen CLIP
      embeddings of the object names, cross-entropy for subject and object
      (Eq. 13, weight ``alpha``).
    * Interaction: ``sigmoid(psi(V_vr))``, target 1 when the pair has a
      trained relation, focal loss (Eq. 14, weight ``beta``).
    * Knowledge consistency ``1 - cos(F'_L, W_clip)`` (Eq. 15, weight
      ``gamma``) with ``learn_prompts``.
    * Optional ``text_adapter`` (SAGE Table 6's "text adapter", as we read
      it): the relation classifiers are ``adapter(F'_L)`` (or
      ``adapter(W_clip)``); Eq. 15 still compares the prompt learner's
      ``F'_L`` with ``W_clip``.

    Training uses the ``train_objects`` / ``train_predicates`` classes
    (open-vocabulary protocol: the base ones), and its targets are in
    their label space, as :class:`VidVRDSegmentDataset` gives them with
    ``object_split`` / ``predicate_split``: ``subject_labels`` /
    ``object_labels`` index the training objects (label-map order),
    ``relation_targets`` has one column per training predicate. Testing
    scores every class of the dataset.

    Args:
        in_dims (int): Size of ``V_vr``.
        object_in_dims (int): Size of the subject / object features.
        prompt_learner (dict): :class:`ClassAwarePromptLearner` (or
            :class:`ImageConditionedPromptLearner`) config over the
            dataset's predicates.
        object_embeddings (dict): :class:`ClassTextEmbeddings` config of
            the object names (the dataset's object label map order).
        dataset (str): ``'vidvrd'`` or ``'vidor'`` (class splits).
            Defaults to ``'vidvrd'``.
        train_objects (str): ``'base'`` or ``'all'``. Defaults to
            ``'base'``.
        train_predicates (str): ``'base'`` or ``'all'``. Defaults to
            ``'base'``.
        learn_prompts (bool): Classify relations with the prompt learner.
            Defaults to True.
        temperature (float): ``tau`` of Eq. 11. Defaults to 0.01.
        object_temperature (float): ``tau`` of the object logits.
            Defaults to 0.01.
        loss_rel (dict): Defaults to a :class:`SigmoidFocalLoss`.
        loss_obj (dict): Defaults to MMAction2's ``CrossEntropyLoss`` with
            weight 0.2 (``alpha``, OV-MMP's object-loss weight).
        loss_int (dict): Defaults to a :class:`SigmoidFocalLoss` with
            weight 0.1 (``beta``, OV-MMP's interactiveness weight).
        loss_kg (dict): Defaults to :class:`KnowledgeConsistencyLoss`
            with weight 1 (``gamma``; the paper gives no value).
        text_adapter (dict, optional): An adapter of the predicate
            classifiers (e.g. ``dict(type='CLIPAdapter')``; its ``in_dims``
            is the text embedding size). Not in the stage-2 configs'
            ``frozen_modules``: it trains with the prompts. Defaults to
            None (no adapter, no parameters).
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 in_dims: int,
                 object_in_dims: int,
                 prompt_learner: Dict,
                 object_embeddings: Dict,
                 dataset: str = 'vidvrd',
                 train_objects: str = 'base',
                 train_predicates: str = 'base',
                 learn_prompts: bool = True,
                 temperature: float = 0.01,
                 object_temperature: float = 0.01,
                 loss_rel: Optional[Dict] = None,
                 loss_obj: Optional[Dict] = None,
                 loss_int: Optional[Dict] = None,
                 loss_kg: Optional[Dict] = None,
                 text_adapter: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, value in (('train_objects', train_objects),
                            ('train_predicates', train_predicates)):
            if value not in TRAIN_CLASSES:
                raise ValueError(f'{name} must be one of {TRAIN_CLASSES}, '
                                 f'got {value!r}')
        vocabulary = load_vocabulary(dataset)
        self.object_names = vocabulary.objects
        self.predicate_names = vocabulary.predicates
        self.prompt_learner = MODELS.build(prompt_learner)
        if self.prompt_learner.num_classes != len(vocabulary.predicates):
            raise ValueError(
                f'the prompt learner has {self.prompt_learner.num_classes} '
                f'classes, {dataset} {len(vocabulary.predicates)} predicates')
        objects = MODELS.build(object_embeddings)
        with torch.no_grad():
            object_texts = objects().detach().float()
        if len(object_texts) != len(vocabulary.objects):
            raise ValueError(f'object_embeddings give {len(object_texts)} '
                             f'texts, {dataset} has '
                             f'{len(vocabulary.objects)} objects')
        self.register_buffer('object_texts', object_texts, persistent=False)
        self._register_train_classes('object', vocabulary.objects,
                                     vocabulary.objects_of(train_objects))
        self._register_train_classes(
            'predicate', vocabulary.predicates,
            vocabulary.predicates_of(train_predicates))
        text_dims = self.prompt_learner.embed_dims
        self.relation_proj = nn.Linear(in_dims, text_dims)
        self.object_proj = nn.Linear(object_in_dims, object_texts.size(1))
        self.interaction = nn.Sequential(
            nn.Linear(in_dims, in_dims // 4), nn.ReLU(inplace=True),
            nn.Linear(in_dims // 4, 1))
        self.learn_prompts = learn_prompts
        self._test_classifiers: Optional[torch.Tensor] = None
        self.temperature = temperature
        self.object_temperature = object_temperature
        self.loss_rel = MODELS.build(loss_rel or dict(type='SigmoidFocalLoss'))
        self.loss_obj = MODELS.build(
            loss_obj or dict(type='mmaction.CrossEntropyLoss', loss_weight=.2))
        self.loss_int = MODELS.build(
            loss_int or dict(type='SigmoidFocalLoss', loss_weight=0.1))
        self.loss_kg = MODELS.build(
            loss_kg or dict(type='KnowledgeConsistencyLoss'))
        # built last, and only when asked for (see SAGERelationEncoder)
        self.text_adapter = None if text_adapter is None else \
            MODELS.build(dict(text_adapter, in_dims=text_dims))

    def _register_train_classes(self, kind, names, kept) -> None:
        index = torch.tensor([i for i, n in enumerate(names) if n in kept])
        self.register_buffer(f'train_{kind}_index', index, persistent=False)

    def train(self, mode: bool = True):
        self._test_classifiers = None  # the prompts may change
        return super().train(mode)

    def init_weights(self) -> None:
        """Keep the construction-time initialisation and the pretrained
        text encoders."""

    def class_embeddings(self, index: torch.Tensor,
                         relation: torch.Tensor) -> torch.Tensor:
        """Predicate classifiers: (C', D), or (N, C', D) image-conditioned."""
        if not self.learn_prompts:
            return self.prompt_learner.reference_embeddings[index]
        if self.prompt_learner.conditional_on_image:
            return self.prompt_learner(index, relation)
        return self.prompt_learner(index)

    def adapt_classifiers(self, embeddings: torch.Tensor) -> torch.Tensor:
        """The class embeddings through the text adapter (if any)."""
        if self.text_adapter is None:
            return embeddings
        return self.text_adapter(embeddings)

    def relation_logits(self, relation: torch.Tensor,
                        classifiers: torch.Tensor) -> torch.Tensor:
        """Eq. 11 logits ``cos / tau``: (N, C')."""
        visual = F.normalize(self.relation_proj(relation), dim=-1)
        classifiers = F.normalize(classifiers, dim=-1).to(visual.dtype)
        if classifiers.dim() == 3:
            return torch.einsum('nd,ncd->nc', visual, classifiers) / \
                self.temperature
        return visual @ classifiers.t() / self.temperature

    def object_logits(self,
                      features: torch.Tensor,
                      index: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Object logits (N, C') over ``index`` (all classes: None)."""
        texts = self.object_texts if index is None else \
            self.object_texts[index]
        visual = F.normalize(self.object_proj(features), dim=-1)
        return visual @ F.normalize(texts, dim=-1).t() / \
            self.object_temperature

    def _train_object_labels(self, labels: torch.Tensor, what: str):
        bad = (labels < 0) | (labels >= len(self.train_object_index))
        if bad.any():
            raise ValueError(
                f'{what} labels {labels[bad].unique().tolist()} are not '
                f'indices of the {len(self.train_object_index)} training '
                'objects (train_objects; -1: a tracklet without a class)')
        return labels

    def loss(self, feats: Dict[str, torch.Tensor],
             targets: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """Losses of N pairs.

        Args:
            feats (dict): Encoder outputs ``relation`` (N, in_dims),
                ``subject`` / ``object`` (N, object_in_dims).
            targets (dict): ``relation_targets`` (N, R_train),
                ``subject_labels`` / ``object_labels`` (N, ), in the
                training classes' label space.
        """
        index = self.train_predicate_index
        rel_targets = targets['relation_targets'].float()
        if rel_targets.size(1) != len(index):
            raise ValueError(
                f'relation_targets have {rel_targets.size(1)} columns, '
                f'expected one per training predicate ({len(index)}, '
                'label-map order; train_predicates)')
        prompts = self.class_embeddings(index, feats['relation'])
        classifiers = self.adapt_classifiers(prompts)
        logits = self.relation_logits(feats['relation'], classifiers)
        losses = dict(loss_rel=self.loss_rel(logits, rel_targets))
        object_index = self.train_object_index
        losses['loss_obj'] = sum(
            self.loss_obj(
                self.object_logits(feats[what], object_index),
                self._train_object_labels(targets[f'{what}_labels'], what))
            for what in ('subject', 'object'))
        interaction = self.interaction(feats['relation']).squeeze(-1)
        losses['loss_int'] = self.loss_int(interaction, (rel_targets.sum(1)
                                                         > 0).float())
        if self.learn_prompts:
            reference = self.prompt_learner.reference_embeddings[index]
            losses['loss_kg'] = self.loss_kg(
                prompts.reshape(-1, prompts.size(-1)),
                reference.expand_as(prompts).reshape(-1, prompts.size(-1)))
        return losses

    def predict(self, feats: Dict[str, torch.Tensor]) -> Dict:
        """Scores of N pairs over every class.

        In eval mode the class-aware classifiers are computed on the first
        call and reused until the next :meth:`train` (image-conditioned
        prompts are computed per pair).

        Returns:
            dict: ``relation`` (N, R) sigmoid predicate scores,
            ``interaction`` (N, ) probabilities, ``subject`` / ``object``
            (N, C_obj) softmax object scores.
        """
        index = torch.arange(
            len(self.predicate_names), device=feats['relation'].device)
        if self.prompt_learner.conditional_on_image and self.learn_prompts:
            classifiers = self.adapt_classifiers(
                self.class_embeddings(index, feats['relation']))
        elif self.training or self._test_classifiers is None:
            # class-level prompts do not depend on the input: computed once
            # per evaluation (train() clears them)
            classifiers = self.adapt_classifiers(
                self.class_embeddings(index, feats['relation']))
            if not self.training:
                self._test_classifiers = classifiers.detach()
        else:
            classifiers = self._test_classifiers
        return dict(
            relation=self.relation_logits(feats['relation'],
                                          classifiers).sigmoid(),
            interaction=self.interaction(
                feats['relation']).squeeze(-1).sigmoid(),
            subject=self.object_logits(feats['subject']).softmax(-1),
            object=self.object_logits(feats['object']).softmax(-1))
