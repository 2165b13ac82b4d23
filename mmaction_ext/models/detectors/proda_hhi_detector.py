from typing import Dict, List, Optional

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModel
from mmengine.structures import InstanceData
from torch import Tensor

from mmaction_ext.structures.hhi_pair_boxes import pair_union_boxes
from ..roi_heads.hhi_pair_sampling import sample_pairs


def _field(sample, name: str, dtype=None) -> Tensor:
    if name not in sample:
        raise KeyError(f'ProDAHHIDetector: data sample '
                       f'{sample.metainfo.get("img_key", "?")} lacks '
                       f'{name!r}; add it to PackActionInputs(algorithm_keys'
                       f'=...)')
    return torch.as_tensor(sample.get(name), dtype=dtype)


def _proposals(sample) -> Tensor:
    if 'proposals' not in sample:
        raise KeyError(f'ProDAHHIDetector: data sample '
                       f'{sample.metainfo.get("img_key", "?")} has no '
                       f'proposals; give the dataset a `proposal_file`')
    return sample.proposals.bboxes.float()


@MODELS.register_module()
class ProDAHHIDetector(BaseModel):
    """Human-human interaction classifier of SportsHHI with ProDA's head,
    without ``mmcv.ops`` (MMAction2's AVA detectors go through mmdet's
    ``FastRCNN`` / ``StandardRoIHead``, which need them).

    Backbone feature map -> RoI features of the person boxes and of every
    pair's union box (:class:`~mmaction_ext.ops.RoIExtractor3D`) -> ProDA
    head (:class:`ProDAHHIHead`). Training samples pairs as SportsHHI's
    ``HHIRandomSampler`` (:func:`sample_pairs`); prediction scores all
    ordered proposal pairs of each keyframe, self-pairs included, as the
    official test.

    Data samples carry ``gt_instances.bboxes`` (pixels), ``proposals``
    (pixels) and, as algorithm keys, ``p1_ids``, ``p2_ids``,
    ``gt_interactions``, ``c_interactions``, ``p_interactions`` and
    ``token`` (see :class:`~mmaction_ext.datasets.SportsHHIDataset`).

    Args:
        backbone (dict): Returns an (N, C, T, H, W) feature map.
        roi_extractor (dict): RoI feature extractor config.
        roi_head (dict): :class:`ProDAHHIHead` config.
        sampler_cfg (dict): Keyword arguments of :func:`sample_pairs`.
            Defaults to the official IoU 0.7, num 32, pos_fraction 1,
            neg_pos_ub 10, GT added as proposals.
        union_min_corner_quirk (bool): Pool the official code's "union"
            box (min for x2/y2, see
            :func:`~mmaction_ext.structures.hhi_pair_boxes.pair_union_boxes`)
            instead of the true union. Defaults to False.
        data_preprocessor (dict, optional): Defaults to None.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 backbone: Dict,
                 roi_extractor: Dict,
                 roi_head: Dict,
                 sampler_cfg: Dict = dict(
                     pos_iou_thr=0.7,
                     num=32,
                     pos_fraction=1.0,
                     neg_pos_ub=10.0,
                     add_gt_as_proposals=True),
                 union_min_corner_quirk: bool = False,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        if isinstance(data_preprocessor, dict):
            # mmengine's BaseModel would look it up in mmengine's registry.
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.roi_extractor = MODELS.build(roi_extractor)
        self.roi_head = MODELS.build(roi_head)
        self.sampler_cfg = dict(sampler_cfg)
        self.union_min_corner_quirk = union_min_corner_quirk

    def extract_feat(self, inputs: Tensor) -> Tensor:
        """(N, C, T, H, W) clips (``FormatShape(collapse=True)``; a clip
        axis of 1 is dropped) -> the backbone's feature map."""
        if inputs.dim() == 6 and inputs.shape[1] == 1:
            inputs = inputs[:, 0]
        if inputs.dim() != 5:
            raise ValueError(f'ProDAHHIDetector: inputs must be one clip per '
                             f'keyframe, (N, C, T, H, W), got '
                             f'{tuple(inputs.shape)}')
        feats = self.backbone(inputs)
        return feats[0] if isinstance(feats, (tuple, list)) else feats

    def _pair_forward(self, feats: Tensor, boxes: List[Tensor],
                      p1: List[Tensor], p2: List[Tensor],
                      data_samples: List) -> Dict[str, Tensor]:
        rois, p1_inds, p2_inds, offset = [], [], [], 0
        for index, frame_boxes in enumerate(boxes):
            rois.append(
                torch.cat([
                    frame_boxes.new_full(
                        (len(frame_boxes), 1), index), frame_boxes
                ], 1))
            p1_inds.append(p1[index] + offset)
            p2_inds.append(p2[index] + offset)
            offset += len(frame_boxes)
        rois = torch.cat(rois).to(feats.dtype)
        p1_inds, p2_inds = torch.cat(p1_inds), torch.cat(p2_inds)
        union = pair_union_boxes(rois[p1_inds, 1:], rois[p2_inds, 1:],
                                 self.union_min_corner_quirk)
        union_rois = torch.cat([rois[p1_inds, :1], union], 1)
        person_feats = self.roi_extractor(feats, rois)[0]
        union_feats = self.roi_extractor(feats, union_rois)[0]
        spec = torch.stack([
            _field(sample, 'token', torch.float32) for sample in data_samples
        ]).to(feats)
        out = self.roi_head(person_feats, union_feats, rois, p1_inds, p2_inds,
                            spec)
        out['rois'], out['p1_inds'], out['p2_inds'] = rois, p1_inds, p2_inds
        return out

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        feats = self.extract_feat(inputs)
        boxes, p1, p2 = [], [], []
        targets = dict(labels=[], c_labels=[], p_labels=[])
        for sample in data_samples:
            device = feats.device
            gt_boxes = sample.gt_instances.bboxes.to(device).float()
            records = {
                key: _field(sample, name, torch.float32).to(device)
                for key, name in (('labels', 'gt_interactions'),
                                  ('c_labels', 'c_interactions'),
                                  ('p_labels', 'p_interactions'))
            }
            frame_boxes, first, second, frame_targets = sample_pairs(
                gt_boxes,
                _proposals(sample).to(device),
                _field(sample, 'p1_ids', torch.long).to(device),
                _field(sample, 'p2_ids', torch.long).to(device), records,
                **self.sampler_cfg)
            boxes.append(frame_boxes)
            p1.append(first)
            p2.append(second)
            for key in targets:
                targets[key].append(frame_targets[key])
        out = self._pair_forward(feats, boxes, p1, p2, data_samples)
        return self.roi_head.loss(
            out,
            *(torch.cat(targets[key]).to(feats.dtype)
              for key in ('labels', 'c_labels', 'p_labels')))

    def predict(self, inputs: Tensor, data_samples: List) -> List:
        """Adds ``pred_instances`` (``p1_bboxes``, ``p2_bboxes`` normalised
        to [0, 1], ``scores`` (P, num_classes) softmax) to each sample."""
        feats = self.extract_feat(inputs)
        boxes, p1, p2 = [], [], []
        for sample in data_samples:
            frame_boxes = _proposals(sample).to(feats.device)
            count = len(frame_boxes)
            index = torch.arange(count, device=feats.device)
            boxes.append(frame_boxes)
            p1.append(index.repeat_interleave(count))
            p2.append(index.repeat(count))
        out = self._pair_forward(feats, boxes, p1, p2, data_samples)
        scores = self.roi_head.predict(out)
        rois, p1_inds, p2_inds = out['rois'], out['p1_inds'], out['p2_inds']
        frame = rois[p1_inds, 0].long()
        for index, sample in enumerate(data_samples):
            height, width = sample.metainfo['img_shape']
            scale = rois.new_tensor([width, height, width, height])
            keep = frame == index
            sample.pred_instances = InstanceData(
                p1_bboxes=rois[p1_inds[keep], 1:] / scale,
                p2_bboxes=rois[p2_inds[keep], 1:] / scale,
                scores=scores[keep])
        return data_samples

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs)
        raise RuntimeError(f'ProDAHHIDetector: invalid mode {mode!r}; use '
                           "'loss', 'predict' or 'tensor'")
