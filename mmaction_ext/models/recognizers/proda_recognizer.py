from typing import Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmaction.utils import SampleList
from mmengine.model import BaseModel
from torch import Tensor

from mmaction_ext.datasets.transforms.sample_action_specifications import (
    is_multi_hot, specification_targets)
from mmaction_ext.models.utils.scene_graph_ops import masked_mean, mlp

LAMBDAS = ('u', 's', 't', 'ad')


@MODELS.register_module()
class ProDARecognizer(BaseModel):
    """ProDA: prompt-guided action disentanglement on scene graphs.

    Per video: the video encoder gives F_o (B, N, M, D). Per action
    specification (SAP v, from :class:`SampleActionSpecifications`, several
    per video, packed in ``data_sample.action_specs``): the SAP branch
    prompts F_o with v, the UAP branch with ``1 - v`` (each its own prompt
    module), both run the VGPNN (shared weights by default, as the official
    code shares its encoder layer), giving F_s and F_u. Net_2 fuses them
    (delta), Net_1 reconstructs F_o from the fusion. The readout gives the
    video features and frame weights s of the SAP, UAP and fused graphs;
    the head gives a_s, a_u (C + 1, "no-action" last), a_t (C), and a_m (C)
    from the masked mean of F_o (detached: a probe that never changes the
    encoder). With a shared VGPNN, its VGNorm layers see both branches, so
    their running means are updated twice per iteration (SAP, then UAP).

    Loss (Eq. 8)::

        l1 BCE(a_u, y_u) + l2 BCE(a_s, y_s) + l3 BCE(a_t, y_t)
        + l4 (L_dis(F_u, F_s) + L_rec(F_o, Net_1(fused))) + l_m BCE(a_m, y)

    Prediction: ``pred_score`` (C) is sigmoid(a_t) averaged over the
    video's specifications (the evaluation protocol of the transform, e.g.
    ``'partition'``, never built from ground truth); also kept per
    specification: ``spec_scores`` sigmoid(a_s) (S, C + 1) and
    ``frame_weights`` s of the SAP branch (S, N), and ``aux_score``
    sigmoid(a_m) (C).

    Two-stage training: ``trainable=('head', )`` freezes everything else
    (``requires_grad=False``, and kept in eval mode so dropout is off and
    normalization statistics stay as loaded); pair it with
    ``TrainableParamsOptimWrapperConstructor`` so frozen parameters are
    not even in the optimizer.

    Args:
        num_classes (int): C.
        embed_dims (int): D of the encoder output.
        encoder (dict): Video encoder, e.g. :class:`DualAIEncoder`.
        vgpnn (dict): :class:`VGPNN` config (``embed_dims`` filled in).
        prompt (dict): ``DynamicPromptModule`` or ``SimplePrompt``
            (``num_classes``, ``embed_dims`` filled in).
        readout (dict): Defaults to :class:`GraphReadout`.
        fusion (dict): Net_2. Defaults to :class:`GateFusion`.
        head (dict): Defaults to :class:`ProDAHead`.
        loss_dis (dict, optional): Defaults to
            ``PearsonDisentanglementLoss``; None drops L_dis.
        loss_rec (dict, optional): Defaults to
            ``MarginReconstructionLoss``; None drops L_rec and Net_1.
        loss_weights (dict): lambda_1..4 as ``u``, ``s``, ``t``, ``ad``.
            Defaults to all 1.
        aux_loss_weight (float): Weight of BCE(a_m). Defaults to 1.
        share_vgpnn (bool): One VGPNN for both branches. Defaults to True.
        detach_probe (bool): a_m sees detached F_o. Defaults to True.
        trainable (tuple[str], optional): Names of the only submodules to
            train (e.g. ``('head', )``). Defaults to None (all).
        data_preprocessor (dict): Defaults to
            ``SceneGraphDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 num_classes: int,
                 embed_dims: int,
                 encoder: Dict,
                 vgpnn: Dict,
                 prompt: Dict = dict(type='DynamicPromptModule'),
                 readout: Dict = dict(type='GraphReadout'),
                 fusion: Dict = dict(type='GateFusion'),
                 head: Dict = dict(type='ProDAHead'),
                 loss_dis: Optional[Dict] = dict(
                     type='PearsonDisentanglementLoss'),
                 loss_rec: Optional[Dict] = dict(
                     type='MarginReconstructionLoss'),
                 loss_weights: Dict = dict(u=1., s=1., t=1., ad=1.),
                 aux_loss_weight: float = 1.,
                 share_vgpnn: bool = True,
                 detach_probe: bool = True,
                 trainable: Optional[Sequence[str]] = None,
                 data_preprocessor: Dict = dict(
                     type='SceneGraphDataPreprocessor'),
                 init_cfg=None) -> None:
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if set(loss_weights) != set(LAMBDAS):
            raise ValueError(f'loss_weights needs exactly the keys '
                             f'{LAMBDAS}, got {sorted(loss_weights)}')
        self.num_classes = num_classes
        self.loss_weights = dict(loss_weights)
        self.aux_loss_weight = aux_loss_weight
        self.detach_probe = detach_probe

        def build(cfg, **defaults):
            cfg = dict(cfg)
            for key, value in defaults.items():
                cfg.setdefault(key, value)
            return MODELS.build(cfg)

        d = embed_dims
        self.encoder = MODELS.build(encoder)
        if getattr(self.encoder, 'embed_dims', d) != d:
            raise ValueError(
                f'encoder.embed_dims ({self.encoder.embed_dims}) must equal '
                f'embed_dims ({d})')
        self.prompt_s = build(prompt, num_classes=num_classes, embed_dims=d)
        self.prompt_u = build(prompt, num_classes=num_classes, embed_dims=d)
        self.vgpnn = build(vgpnn, embed_dims=d)
        self.vgpnn_u = None if share_vgpnn else build(vgpnn, embed_dims=d)
        self.readout = build(readout, embed_dims=d)
        self.fusion = build(fusion, embed_dims=d)
        self.head = build(head, in_channels=d, num_classes=num_classes)
        self.loss_dis = loss_dis and MODELS.build(loss_dis)
        self.loss_rec = loss_rec and MODELS.build(loss_rec)
        self.reconstructor = mlp(d, d, d) if loss_rec else None
        self.trainable = tuple(trainable) if trainable else None
        if self.trainable:
            self._freeze()

    # ----------------------------------------------------------- freezing
    def _freeze(self) -> None:
        names = {name for name, _ in self.named_children()}
        unknown = set(self.trainable) - names
        if unknown:
            raise ValueError(f'trainable names {sorted(unknown)} are not '
                             f'submodules; choose from {sorted(names)}')
        for name, child in self.frozen_children():
            child.requires_grad_(False)

    def frozen_children(self) -> List:
        if not self.trainable:
            return []
        return [(name, child) for name, child in self.named_children()
                if name not in self.trainable and name != 'data_preprocessor']

    def train(self, mode: bool = True) -> 'ProDARecognizer':
        super().train(mode)
        for _, child in self.frozen_children():
            child.eval()
        return self

    # ------------------------------------------------------------ forward
    def forward(self,
                inputs: Dict,
                data_samples: SampleList = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.forward_branches(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}".')

    def _specs(self, data_samples: Optional[SampleList], batch: int,
               device) -> List[Tensor]:
        """Per video its SAPs, bool (S_b, C); all classes if none given."""
        specs = []
        for i in range(batch):
            sample = data_samples[i] if data_samples else None
            spec = getattr(sample, 'action_specs', None)
            if spec is None:
                spec = torch.ones(1, self.num_classes, dtype=torch.bool)
            spec = torch.as_tensor(spec).to(device).bool()
            if spec.dim() != 2 or spec.shape[1] != self.num_classes:
                raise ValueError(
                    f'action_specs of sample {i} must be (S, '
                    f'{self.num_classes}), got {tuple(spec.shape)}')
            specs.append(spec)
        return specs

    def forward_branches(self,
                         inputs: Dict,
                         data_samples: SampleList = None) -> Dict:
        """Run the encoder once per video, the branches once per SAP.

        Returns:
            dict: ``f_o`` (B, N, M, D); per SAP (S = sum of S_b): ``index``
            (S, ) video of each SAP, ``spec`` (S, C), ``mask``, ``f_s``,
            ``f_u``, ``fused``, ``delta``, frame weights ``s_s``, ``s_u``,
            ``s_t`` (S, N), logits ``a_s``, ``a_u`` (S, C + 1), ``a_t``
            (S, C); ``a_m`` (B, C).
        """
        x, mask = inputs['node_feats'], inputs['node_mask']
        f_o = self.encoder(x, mask)
        specs = self._specs(data_samples, len(x), x.device)
        index = torch.repeat_interleave(
            torch.arange(len(x), device=x.device),
            torch.tensor([len(s) for s in specs], device=x.device))
        spec = torch.cat(specs).float()
        rel = self.vgpnn.embed_relations(inputs['relations'])  # per video
        f_rep, mask_rep = f_o[index], mask[index]
        p_s, _ = self.prompt_s(f_rep, spec, mask_rep)
        p_u, _ = self.prompt_u(f_rep, 1 - spec, mask_rep)
        f_s, _ = self.vgpnn(p_s, rel, mask_rep, index)
        f_u, _ = (self.vgpnn_u or self.vgpnn)(p_u, rel, mask_rep, index)
        fused, delta = self.fusion(f_u, f_s)
        out = dict(
            f_o=f_o,
            index=index,
            spec=spec,
            mask=mask_rep,
            f_s=f_s,
            f_u=f_u,
            fused=fused,
            delta=delta)
        video = {}
        for key, feats in (('s', f_s), ('u', f_u), ('t', fused)):
            video[key], out[f's_{key}'] = self.readout(feats, mask_rep)
        probe = masked_mean(f_o, mask)
        video['m'] = probe.detach() if self.detach_probe else probe
        out.update(self.head(video))
        return out

    # ------------------------------------------------------------- losses
    def _labels(self, data_samples: SampleList, device) -> Tensor:
        """Multi-hot (B, C) from ``gt_label`` (class ids or a multi-hot)."""
        rows = []
        for i, sample in enumerate(data_samples):
            label = torch.as_tensor(sample.gt_label).to(device).flatten()
            if is_multi_hot(label.cpu().numpy(), self.num_classes):
                rows.append(label.float())
                continue
            ids = label.long()
            if len(ids) and (ids.min() < 0 or ids.max() >= self.num_classes):
                raise ValueError(
                    f'sample {i} ({sample.metainfo.get("video_id", "?")}): '
                    f'label ids {ids.tolist()} outside [0, '
                    f'{self.num_classes})')
            row = torch.zeros(self.num_classes, device=device)
            row[ids] = 1.
            rows.append(row)
        return torch.stack(rows).float()

    def loss(self, inputs: Dict, data_samples: SampleList) -> Dict:
        out = self.forward_branches(inputs, data_samples)
        labels = self._labels(data_samples, out['f_o'].device)
        y_t = labels[out['index']]
        y_s, y_u = specification_targets(out['spec'].bool(), y_t)
        bce = F.binary_cross_entropy_with_logits
        w = self.loss_weights
        losses = dict(
            loss_u=w['u'] * bce(out['a_u'], y_u),
            loss_s=w['s'] * bce(out['a_s'], y_s),
            loss_t=w['t'] * bce(out['a_t'], y_t),
            loss_m=self.aux_loss_weight * bce(out['a_m'], labels))
        if self.loss_dis is not None:
            losses['loss_dis'] = w['ad'] * self.loss_dis(
                out['f_u'], out['f_s'], out['mask'])
        if self.loss_rec is not None:
            recon = self.reconstructor(out['fused']) * \
                out['mask'].unsqueeze(-1)
            losses['loss_rec'] = w['ad'] * self.loss_rec(
                out['f_o'][out['index']], recon, out['mask'])
        return losses

    # ---------------------------------------------------------- inference
    def predict(self, inputs: Dict, data_samples: SampleList) -> SampleList:
        out = self.forward_branches(inputs, data_samples)
        a_t = out['a_t'].sigmoid()
        for i, sample in enumerate(data_samples):
            rows = out['index'] == i
            sample.set_field(a_t[rows].mean(0), 'pred_score')
            sample.set_field(out['a_s'][rows].sigmoid(), 'spec_scores')
            sample.set_field(out['s_s'][rows], 'frame_weights')
            sample.set_field(out['a_m'][i].sigmoid(), 'aux_score')
        return data_samples
