from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


def _first(output):
    """Plug-ins may return a tensor or a tuple led by the tensor."""
    return output[0] if isinstance(output, (tuple, list)) else output


def group_pairs_by_frame(im_idx: Tensor) -> Tuple[Tensor, Tensor, int]:
    """Slots of the pairs in a padded (G, L) per-keyframe layout.

    Args:
        im_idx (Tensor): Keyframe (batch) index of every pair, (P,).

    Returns:
        tuple: group (P,) in [0, G) (keyframes in increasing index order,
        only those with pairs), position (P,) in [0, L) (pair order kept
        within a keyframe) and L, the largest pair count.
    """
    frames, group, counts = torch.unique(
        im_idx, return_inverse=True, return_counts=True)
    order = torch.argsort(group, stable=True)
    starts = torch.cumsum(counts, 0) - counts
    position = torch.empty_like(group)
    position[order] = torch.arange(
        group.numel(), device=group.device) - starts[group[order]]
    length = int(counts.max()) if counts.numel() else 0
    return group, position, length


def soft_cross_entropy(logits: Tensor, target: Tensor) -> Tensor:
    """Mean over rows of ``-sum(target * log_softmax(logits))``; 0 (with
    gradient path) for no rows, where the official code gives NaN."""
    if logits.shape[0] == 0:
        return logits.sum() * 0.
    return F.cross_entropy(logits, target)


@MODELS.register_module()
class ProDAHHIHead(BaseModule):
    """ProDA on SportsHHI: prompt-guided disentanglement of person-pair
    tokens on top of the SportsHHI interaction head (NeurIPS 2025, Table 2;
    public code iamsnaping/ProDA @ d528c1b, ``bbox_head_hhi.py``).

    Pipeline for the P sampled pairs of a batch of keyframes:

    1. RoI features of the persons and of the pair union boxes are pooled to
       vectors (dropout, temporal ``avg``, spatial ``max``);
    2. ``token_builder`` makes the 1792-d pair tokens x_in;
    3. pairs are grouped per keyframe, padded to the largest count L;
    4. specified branch: ``x_com = enc(prompt_s(x_in, v))``; unspecified
       branch: ``x_pri = enc(prompt_u(x_in, 1 - v))``; ``enc`` is one
       shared :class:`HHIPairEncoderLayer` per layer (attention across
       the pairs of a keyframe), each layer has its own two prompt modules;
    5. ``fused = fusion(x_com, x_pri)`` (the first argument is gated by
       the fusion weight, as the official ``GateFusion``);
    6. ``cls = fc_cls(GELU(LN(Linear(fused))))`` (num_classes),
       ``c_cls(x_com)`` and ``p_cls(x_pri)`` (num_classes + 1);
    7. training: ``recon = recon_net(fused)`` for the reconstruction loss.

    Plug-in interfaces (built through the MODELS registry):

    - ``prompt_cfg``: built twice per layer with ``num_classes=
      num_spec_classes, embed_dims=D``; ``forward(x (G, 1, L, D), spec
      (G, S) float, mask (G, 1, L) bool, True = real pair)`` returns the
      prompted features (G, 1, L, D), or a tuple that starts with them
      (ProDA's DPM: ``x + sum_t sigmoid(W^w LN(W^y v + x))_t Q_t(v)``).
      A keyframe is one "frame" of N = 1 and its pairs are the M nodes.
    - ``fusion_cfg``: built with ``embed_dims=D``; ``forward(a, b)``, both
      (G, L, D), returns the fused (G, L, D) or a tuple led by it.
    - ``dis_loss_cfg``: ``forward(x_com, x_pri, mask)`` with (G, 1, L, D)
      features and the (G, 1, L) mask, a scalar (``reduction='batch'``: one
      Pearson correlation over all sampled pairs, the official
      ``dis_loss``; ``'sample'``: per keyframe, as the paper's Eq. 5).
    - ``rec_loss_cfg``: ``forward(target x_in, recon, mask)``, same shapes,
      a scalar (official: ``ReLU(mean MSE - 0.3)`` over the batch; the
      target is not detached).

    Losses (official ``loss_and_target``): on the positive pairs (any GT
    class), ``loss_hhi_cls`` = soft CE of ``cls[:, 1:]`` against the GT
    multi-hot normalised to sum 1; ``loss_c`` = CE of ``com[:, 1:]``
    against ``c_labels`` and ``loss_p`` = CE of ``pri[:, 1:]`` against
    ``p_labels`` (num_classes columns, column 0 = "no action in this
    branch", unnormalised as in the official code), weights
    ``loss_weights``; ``loss_s`` (dis) and ``loss_r`` (rec) on all sampled
    pairs with their own ``loss_weight``. A positive pair without a c or
    p target (its GT classes are in neither ``val`` nor ``inv`` of the
    specification) is an error here; the official code then fails with a
    shape mismatch.

    Args:
        num_classes (int): Interaction classes + background column 0.
            Defaults to 29 (SportsHHI's 28 custom classes).
        num_spec_classes (int): Length S of the specification v. Defaults
            to 35 (SportsHHI ids 0..34, as the official code).
        in_channels (int): RoI feature channels. Defaults to 768.
        token_builder (dict): Pair token config
            (:class:`HHIPairTokenBuilder`); ``in_channels`` is filled in.
        encoder_cfg (dict): Shared layer config (:class:`HHIPairEncoderLayer`)
            without ``embed_dims``.
        num_layers (int): Prompt + encoder layers. Defaults to 1.
        prompt_cfg (dict): Prompt module config (see above). Defaults to
            ``DynamicPromptModule`` with T = 10 and the official LayerNorm.
        fusion_cfg (dict): Defaults to ``GateFusion`` (dropout 0.1).
        recon_cfg (dict, optional): Reconstruction network
            (:class:`HHIReconstructNetwork`); None disables it and
            ``loss_r``.
        dis_loss_cfg (dict, optional): None disables ``loss_s``. Defaults
            to ``PearsonDisentanglementLoss`` margin 0.4, batch reduction.
        rec_loss_cfg (dict, optional): Defaults to
            ``MarginReconstructionLoss`` margin 0.3, batch reduction.
        loss_weights (dict): ``cls``, ``c``, ``p``. Defaults to 1, 1, 0.1.
        dropout_ratio (float): Dropout on the RoI features. Defaults to
            0.1 (official config).
        dropout_before_pool (bool): Defaults to True.
        temporal_pool_type (str): 'avg' or 'max'. Defaults to 'avg'.
        spatial_pool_type (str): 'avg' or 'max'. Defaults to 'max'.
        official_init (bool): xavier-normal weights and zero biases for
            every Linear of the head (plug-ins included), as the official
            ``init_weights``. Defaults to True.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 num_classes: int = 29,
                 num_spec_classes: int = 35,
                 in_channels: int = 768,
                 token_builder: Dict = dict(type='HHIPairTokenBuilder'),
                 encoder_cfg: Dict = dict(type='HHIPairEncoderLayer'),
                 num_layers: int = 1,
                 prompt_cfg: Dict = dict(
                     type='DynamicPromptModule', num_prompts=10,
                     use_norm=True),
                 fusion_cfg: Dict = dict(type='GateFusion', dropout=0.1),
                 recon_cfg: Optional[Dict] = dict(
                     type='HHIReconstructNetwork'),
                 dis_loss_cfg: Optional[Dict] = dict(
                     type='PearsonDisentanglementLoss',
                     margin=0.4,
                     reduction='batch'),
                 rec_loss_cfg: Optional[Dict] = dict(
                     type='MarginReconstructionLoss',
                     margin=0.3,
                     reduction='batch'),
                 loss_weights: Dict = dict(cls=1., c=1., p=0.1),
                 dropout_ratio: float = 0.1,
                 dropout_before_pool: bool = True,
                 temporal_pool_type: str = 'avg',
                 spatial_pool_type: str = 'max',
                 official_init: bool = True,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, value in (('temporal_pool_type', temporal_pool_type),
                            ('spatial_pool_type', spatial_pool_type)):
            if value not in ('avg', 'max'):
                raise ValueError(f"ProDAHHIHead: {name} must be 'avg' or "
                                 f"'max', got {value!r}")
        missing = {'cls', 'c', 'p'} - set(loss_weights)
        if missing:
            raise ValueError(f'ProDAHHIHead: loss_weights lacks '
                             f'{sorted(missing)}')
        self.num_classes = num_classes
        self.num_spec_classes = num_spec_classes
        self.loss_weights = dict(loss_weights)
        self.temporal_pool_type = temporal_pool_type
        self.spatial_pool_type = spatial_pool_type
        self.dropout_before_pool = dropout_before_pool
        self.official_init = official_init
        self.dropout = nn.Dropout(dropout_ratio)

        self.token_builder = MODELS.build(
            token_builder, default_args=dict(in_channels=in_channels))
        dims = self.token_builder.out_channels
        self.embed_dims = dims
        width = dict(embed_dims=dims)
        self.encoders = nn.ModuleList(
            MODELS.build(encoder_cfg, default_args=width)
            for _ in range(num_layers))
        prompt = dict(num_classes=num_spec_classes, embed_dims=dims)
        self.prompts_s = nn.ModuleList(
            MODELS.build(prompt_cfg, default_args=prompt)
            for _ in range(num_layers))
        self.prompts_u = nn.ModuleList(
            MODELS.build(prompt_cfg, default_args=prompt)
            for _ in range(num_layers))
        self.fusion = MODELS.build(fusion_cfg, default_args=width)
        self.recon_net = None if recon_cfg is None else MODELS.build(
            recon_cfg, default_args=width)
        self.dis_loss = None if dis_loss_cfg is None else MODELS.build(
            dis_loss_cfg)
        self.rec_loss = None
        if rec_loss_cfg is not None and self.recon_net is not None:
            self.rec_loss = MODELS.build(rec_loss_cfg)

        self.pj = nn.Sequential(
            nn.Linear(dims, dims), nn.LayerNorm(dims), nn.GELU())
        self.fc_cls = nn.Linear(dims, num_classes)
        self.c_cls = nn.Linear(dims, num_classes + 1)
        self.p_cls = nn.Linear(dims, num_classes + 1)

    def init_weights(self) -> None:
        super().init_weights()
        if self.official_init:
            for module in self.modules():
                if isinstance(module, nn.Linear):
                    nn.init.xavier_normal_(module.weight)
                    nn.init.zeros_(module.bias)

    def pool(self, roi_feats: Tensor) -> Tensor:
        """(R, C, T, h, w) RoI features -> (R, C)."""
        if roi_feats.dim() != 5:
            raise ValueError(f'ProDAHHIHead: RoI features must be (R, C, T, '
                             f'h, w), got {tuple(roi_feats.shape)}')
        if self.dropout_before_pool:
            roi_feats = self.dropout(roi_feats)
        time = roi_feats.mean(2) if self.temporal_pool_type == 'avg' \
            else roi_feats.amax(2)
        pooled = time.mean((2, 3)) if self.spatial_pool_type == 'avg' \
            else time.amax((2, 3))
        if not self.dropout_before_pool:
            pooled = self.dropout(pooled)
        return pooled

    def _branch(self, x: Tensor, spec: Tensor, valid: Tensor,
                prompts: nn.ModuleList) -> Tensor:
        """Prompt + shared encoder per layer on (G, L, D)."""
        for prompt, encoder in zip(prompts, self.encoders):
            x = _first(prompt(x[:, None], spec, valid[:, None]))[:, 0]
            x = encoder(x, key_padding_mask=~valid)
        return x

    def forward(self, person_feats: Tensor, union_feats: Tensor, rois: Tensor,
                p1_inds: Tensor, p2_inds: Tensor,
                spec: Tensor) -> Dict[str, Tensor]:
        """Scores and features of the P pairs.

        Args:
            person_feats (Tensor): RoI features of the person boxes
                (R, C, T, h, w).
            union_feats (Tensor): RoI features of each pair's union box
                (P, C, T, h, w).
            rois (Tensor): Person boxes (R, 5): keyframe index, x1, y1, x2,
                y2.
            p1_inds (Tensor): Row of person 1 of each pair in ``rois``,
                (P,); both persons are in the same keyframe.
            p2_inds (Tensor): Row of person 2, (P,).
            spec (Tensor): Specification v per keyframe (B, S), float
                multi-hot.

        Returns:
            dict: ``cls_score`` (P, num_classes), ``com_score`` and
            ``pri_score`` (P, num_classes + 1), ``x_in``, ``x_com``,
            ``x_pri``, ``fused`` (P, D), ``recon`` (P, D) in training with
            a reconstruction net, and ``group``/``position``/``length``.
        """
        if spec.dim() != 2 or spec.shape[1] != self.num_spec_classes:
            raise ValueError(f'ProDAHHIHead: spec must be (B, '
                             f'{self.num_spec_classes}), got '
                             f'{tuple(spec.shape)}')
        im_idx = rois[p1_inds, 0].long()
        if not torch.equal(im_idx, rois[p2_inds, 0].long()):
            raise ValueError('ProDAHHIHead: a pair joins persons of two '
                             'different keyframes')
        pooled = self.pool(person_feats)
        x_in = self.token_builder(pooled[p1_inds], pooled[p2_inds],
                                  self.pool(union_feats), rois[p1_inds, 1:],
                                  rois[p2_inds, 1:])
        group, position, length = group_pairs_by_frame(im_idx)
        num_groups = int(group.max()) + 1 if group.numel() else 0
        grid = x_in.new_zeros(num_groups, length, x_in.shape[1])
        grid[group, position] = x_in
        valid = torch.zeros(
            num_groups, length, dtype=torch.bool, device=x_in.device)
        valid[group, position] = True
        frame_spec = spec[torch.unique(im_idx)].to(x_in.dtype)

        if x_in.shape[0]:
            com = self._branch(grid, frame_spec, valid, self.prompts_s)
            pri = self._branch(grid, 1 - frame_spec, valid, self.prompts_u)
            fused = _first(self.fusion(com, pri))
        else:  # no pair in the batch (e.g. keyframes without proposals)
            com = pri = fused = grid
        out = dict(
            x_in=x_in,
            x_com=com[group, position],
            x_pri=pri[group, position],
            fused=fused[group, position],
            group=group,
            position=position,
            length=length)
        out['cls_score'] = self.fc_cls(self.pj(out['fused']))
        out['com_score'] = self.c_cls(out['x_com'])
        out['pri_score'] = self.p_cls(out['x_pri'])
        if self.training and self.recon_net is not None:
            out['recon'] = self.recon_net(out['fused'])
        return out

    def _regrid(self, x: Tensor, out: Dict) -> Tuple[Tensor, Tensor]:
        """(P, D) -> (G, 1, L, D) and the (G, 1, L) mask for the losses."""
        group, position = out['group'], out['position']
        num_groups = int(group.max()) + 1 if group.numel() else 0
        grid = x.new_zeros(num_groups, out['length'], x.shape[1])
        grid[group, position] = x
        mask = torch.zeros(
            num_groups, out['length'], dtype=torch.bool, device=x.device)
        mask[group, position] = True
        return grid[:, None], mask[:, None]

    def loss(self, out: Dict[str, Tensor], labels: Tensor, c_labels: Tensor,
             p_labels: Tensor) -> Dict[str, Tensor]:
        """The official loss mix.

        Args:
            out (dict): :meth:`forward`'s output for P sampled pairs.
            labels (Tensor): GT multi-hot (P, num_classes), column 0 =
                background; all zero for negative pairs.
            c_labels (Tensor): Specified-branch targets (P, num_classes),
                column 0 = no action in the branch.
            p_labels (Tensor): Unspecified-branch targets, same layout.

        Returns:
            dict: ``loss_hhi_cls``, ``loss_c``, ``loss_p`` and, when
            configured, ``loss_s`` (dis) and ``loss_r`` (rec).
        """
        num_pairs = out['cls_score'].shape[0]
        for name, target in (('labels', labels), ('c_labels', c_labels),
                             ('p_labels', p_labels)):
            if tuple(target.shape) != (num_pairs, self.num_classes):
                raise ValueError(
                    f'ProDAHHIHead.loss: {name} must be ({num_pairs}, '
                    f'{self.num_classes}), got {tuple(target.shape)}')
        gt = labels[:, 1:].to(out['cls_score'].dtype)
        pos = gt.sum(-1) > 0
        for name, target in (('c_labels', c_labels), ('p_labels', p_labels)):
            uncovered = pos & (target.sum(-1) <= 0)
            if uncovered.any():
                row = int(uncovered.nonzero()[0, 0])
                raise ValueError(
                    f'ProDAHHIHead.loss: positive pair {row} has no '
                    f'{name} target: the specification covers none of its '
                    f'GT classes (val and inv must cover them)')
        gt = gt[pos]
        losses = dict()
        losses['loss_hhi_cls'] = self.loss_weights['cls'] * soft_cross_entropy(
            out['cls_score'][pos, 1:], gt / gt.sum(-1, keepdim=True))
        losses['loss_c'] = self.loss_weights['c'] * soft_cross_entropy(
            out['com_score'][pos, 1:], c_labels[pos].to(gt.dtype))
        losses['loss_p'] = self.loss_weights['p'] * soft_cross_entropy(
            out['pri_score'][pos, 1:], p_labels[pos].to(gt.dtype))
        no_pairs = out['x_in'].sum() * 0.  # NaN-free value without pairs
        if self.dis_loss is not None:
            com, mask = self._regrid(out['x_com'], out)
            pri, _ = self._regrid(out['x_pri'], out)
            losses['loss_s'] = self.dis_loss(com, pri,
                                             mask) if num_pairs else no_pairs
        if self.rec_loss is not None and 'recon' in out:
            target, mask = self._regrid(out['x_in'], out)
            recon, _ = self._regrid(out['recon'], out)
            losses['loss_r'] = self.rec_loss(target, recon,
                                             mask) if num_pairs else no_pairs
        return losses

    def predict(self, out: Dict[str, Tensor]) -> Tensor:
        """Softmax over the num_classes scores of each pair, (P, C)."""
        return out['cls_score'].softmax(-1)
