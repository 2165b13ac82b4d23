import math
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmaction.utils import SampleList
from mmengine.model import BaseModule

from mmaction_ext.text import GAPPromptBuilder
from ..utils import BodyPartPooling, build_partition


def _text_embeddings_cfg(text_bank: Optional[str],
                         text_encoder: Optional[Dict],
                         text_embeddings: Optional[Dict]) -> Dict:
    """One :class:`ClassTextEmbeddings` config from either way of saying it."""
    if text_embeddings is not None:
        if text_bank is not None or text_encoder is not None:
            raise ValueError('give GAPHead either text_embeddings or '
                             'text_bank + text_encoder, not both')
        return dict(dict(type='ClassTextEmbeddings'), **text_embeddings)
    if text_bank is None or text_encoder is None:
        raise ValueError('GAPHead needs text_embeddings=dict(text_bank=..., '
                         'text_encoder=...) (or text_bank and text_encoder)')
    return dict(
        type='ClassTextEmbeddings',
        text_bank=text_bank,
        text_encoder=text_encoder)


@MODELS.register_module()
class GAPHead(BaseModule):
    """GAP's training-only multi-part skeleton-text contrastive head.

    From the backbone features it pools a global feature and one feature per
    body part, projects each to the text dimension and pulls it towards the
    text embedding of the matching prompt (a sampled synonym for the global
    feature, part descriptions for the parts) with the symmetric KL
    contrastive loss, in-batch same-class pairs being positives. The loss is
    averaged over the K + 1 prompts and weighted by ``loss_weight``
    (lambda). Inference never uses this head (see :class:`GAPRecognizer`).

    Args:
        in_channels (int): Backbone feature channels C.
        num_classes (int): Classes of the model; the bank must have as many.
        text_bank (str, optional): Bundled bank name or path of a bank
            file; with ``text_encoder``, short for ``text_embeddings``.
        text_encoder (dict, optional): Config of a text encoder
            (:class:`CLIPTextEncoder` or :class:`HFTextEncoder`).
        partition (str | list[dict]): Body parts, a key of
            :data:`PARTITIONS` (e.g. ``'ntu_joint_4'``) or explicit parts.
        num_joints (int, optional): Joints of the backbone layout; set by
            :class:`GAPRecognizer` from its backbone.
        prompt_style (str): ``'official'`` or ``'paper'``, see
            :class:`GAPPromptBuilder`. Defaults to ``'official'``.
        logit_scale (str): How the learnable per-prompt scale multiplies the
            cosine similarities: ``'linear'`` uses the parameter itself
            (official code), ``'exp'`` its exponential (CLIP); both start
            from ln(1/0.07). ``'fixed'`` uses 1 / ``temperature`` (paper).
            Defaults to ``'linear'``.
        temperature (float): Temperature of ``'fixed'``. Defaults to 0.1.
        loss (dict): Contrastive loss config. Defaults to
            ``dict(type='KLContrastiveLoss')`` (official soft targets).
        loss_weight (float): lambda. Defaults to 0.8 (NTU; UCLA uses 1.0).
        text_embeddings (dict, optional): :class:`ClassTextEmbeddings`
            config (``text_bank``, ``text_encoder``) in the online mode; its
            bank gives the prompts, its encoder (fine-tuned unless frozen)
            embeds them; the encoder's weights are ``text_encoder.*`` of
            this head, as with ``text_bank`` + ``text_encoder``.
        text_batching (str): How a step's distinct prompts are batched
            through the text encoder: ``'longest'``, one batch padded to the
            longest prompt, or ``'bucket'``, up to 4 batches of similar
            length (fewer padded tokens; equal embeddings up to rounding).
            Defaults to ``'bucket'``.
        text_checkpointing (bool): Gradient (activation) checkpointing of
            the text encoder's layers: less memory, one more text forward.
            Defaults to False.
        init_cfg (dict, optional): Initialization config.
    """

    def __init__(self,
                 in_channels: int,
                 num_classes: int,
                 text_bank: Optional[str] = None,
                 text_encoder: Optional[Dict] = None,
                 partition: Union[str, List[Dict]] = 'ntu_joint_4',
                 num_joints: Optional[int] = None,
                 prompt_style: str = 'official',
                 logit_scale: str = 'linear',
                 temperature: float = 0.1,
                 loss: Dict = dict(type='KLContrastiveLoss'),
                 loss_weight: float = 0.8,
                 text_embeddings: Optional[Dict] = None,
                 text_batching: str = 'bucket',
                 text_checkpointing: bool = False,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_joints is None:
            raise ValueError('GAPHead needs num_joints (GAPRecognizer sets it '
                             "from the backbone's graph)")
        if logit_scale not in ('linear', 'exp', 'fixed'):
            raise ValueError(f'logit_scale must be linear, exp or fixed, got '
                             f'{logit_scale!r}')
        if text_batching not in ('longest', 'bucket'):
            raise ValueError(f'text_batching must be longest or bucket, got '
                             f'{text_batching!r}')
        parts = build_partition(partition, num_joints)
        text_embeddings = MODELS.build(
            dict(
                _text_embeddings_cfg(text_bank, text_encoder, text_embeddings),
                num_classes=num_classes,
                required_parts=sorted({t
                                       for p in parts
                                       for t in p['texts']})))
        if not text_embeddings.online:
            raise ValueError('GAPHead samples its prompts at every step, so '
                             'its text embeddings need the online mode '
                             '(cache_dir=None); freeze the encoder '
                             '(text_encoder.frozen=True) to cache them in '
                             'memory instead')
        self.prompts = GAPPromptBuilder(text_embeddings.bank, parts,
                                        prompt_style)
        self.part_names = ['global'] + [p['name'] for p in parts]
        self.pool = BodyPartPooling([None] + [p['joints'] for p in parts],
                                    num_joints)
        # The encoder is registered here, not under the component, so that
        # checkpoint keys and paramwise ``custom_keys`` stay
        # ``gap_head.text_encoder.*`` whichever way the config says it.
        object.__setattr__(self, 'text_embeddings', text_embeddings)
        self.text_encoder = text_embeddings.text_encoder
        self.text_batching = text_batching
        if text_checkpointing:
            self.text_encoder.enable_checkpointing()
        embed_dims = self.text_encoder.embed_dims
        self.projections = nn.ModuleList(
            nn.Linear(in_channels, embed_dims) for _ in self.part_names)
        nn.init.kaiming_normal_(
            self.projections[0].weight, mode='fan_out')  # as official
        self.logit_scale_mode = logit_scale
        if logit_scale == 'fixed':
            self.register_buffer(
                'logit_scale',
                torch.full((len(self.part_names), ), 1. / temperature))
        else:
            self.logit_scale = nn.Parameter(
                torch.full((len(self.part_names), ), math.log(1 / 0.07)))
        self.loss_contrastive = MODELS.build(loss)
        self._text_cached = False
        self.loss_weight = loss_weight

    def init_weights(self) -> None:
        """Keep the pretrained text encoder and the official inits."""

    def cache_all_prompts(self, chunk: int = 256) -> None:
        """Encode every prompt once, so a frozen encoder never runs again.

        Called before the first loss of a caching (frozen) text encoder;
        afterwards each step only looks embeddings up.
        """
        prompts = self.prompts.all_prompts()
        for start in range(0, len(prompts), chunk):
            self.text_encoder(prompts[start:start + chunk])
        self._text_cached = True

    def scales(self) -> torch.Tensor:
        """Multipliers of the cosine similarities, shape (K + 1, )."""
        if self.logit_scale_mode == 'exp':
            return self.logit_scale.exp()
        return self.logit_scale

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """Projected global and part features.

        Args:
            feats (torch.Tensor): Backbone features (N, M, C, T, V).

        Returns:
            torch.Tensor: Shape (K + 1, N, D): global first, then parts.
        """
        pooled = self.pool(feats)  # (N, K + 1, C)
        return torch.stack([
            projection(pooled[:, k])
            for k, projection in enumerate(self.projections)
        ])

    def loss(self, feats: torch.Tensor, data_samples: SampleList) -> Dict:
        """The weighted multi-part contrastive loss.

        Args:
            feats (torch.Tensor): Backbone features (N, M, C, T, V).
            data_samples (list[ActionDataSample]): With ``gt_label``.

        Returns:
            dict: ``loss_gap``.
        """
        labels = torch.cat([s.gt_label for s in data_samples]).to(feats.device)
        if self.text_encoder.cache_embeddings and not self._text_cached:
            self.cache_all_prompts()
        skeleton = self(feats)
        prompts = self.prompts.sample(labels.cpu())
        flat = [p for group in prompts for p in group]
        if self.text_batching == 'bucket':
            text = self.text_encoder(flat, batching='bucket')
        else:
            text = self.text_encoder(flat)
        text = text.view(len(prompts), len(labels), -1).to(skeleton.dtype)
        scales = self.scales()
        per_prompt = [
            self.loss_contrastive(
                skeleton[k], text[k], labels, logit_scale=scales[k])
            for k in range(len(prompts))
        ]
        return dict(loss_gap=self.loss_weight * torch.stack(per_prompt).mean())
