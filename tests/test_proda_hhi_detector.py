"""SportsHHI pair sampling and the ProDA HHI detector (tiny, random)."""
import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.structures import InstanceData
from test_proda_hhi_head import PLUGINS  # noqa: F401  (registers stand-ins)

import mmaction_ext  # noqa: F401
from mmaction_ext.models.roi_heads.hhi_pair_sampling import (box_iou,
                                                             sample_pairs)


def test_box_iou():
    a = torch.tensor([[0., 0., 10., 10.]])
    b = torch.tensor([[0., 0., 10., 10.], [5., 0., 15., 10.],
                      [20., 20., 30., 30.]])
    torch.testing.assert_close(box_iou(a, b), torch.tensor([[1., 1 / 3, 0.]]))


def plain_pairs(gt, proposals, p1_ids, p2_ids, thr):
    """All ordered pairs with their record (-1 = negative), by loops."""
    boxes = list(gt) + list(proposals)
    assigned = list(range(len(gt)))
    for box in proposals:
        ious = box_iou(box[None], gt)[0]
        assigned.append(int(ious.argmax()) if ious.max() >= thr else -1)
    out = {}
    for a in range(len(boxes)):
        for b in range(len(boxes)):
            rec = -1
            for r, (i, j) in enumerate(zip(p1_ids, p2_ids)):
                if assigned[a] == i and assigned[b] == j:
                    rec = r
            out[(a, b)] = rec
    return out


def test_sample_pairs_matches_plain_assignment():
    torch.manual_seed(0)
    gt = torch.tensor([[0., 0., 10., 20.], [30., 0., 40., 20.],
                       [60., 0., 70., 20.]])
    proposals = torch.tensor([[0., 0., 10., 19.], [30., 1., 40., 20.],
                              [80., 0., 90., 20.]])
    p1_ids, p2_ids = torch.tensor([0, 1]), torch.tensor([1, 2])
    labels = torch.tensor([[0., 1., 0.], [0., 0., 1.]])
    boxes, first, second, targets = sample_pairs(
        gt, proposals, p1_ids, p2_ids, dict(labels=labels), num=32)
    assert boxes.shape == (6, 4)
    expected = plain_pairs(gt, proposals, [0, 1], [1, 2], 0.7)
    assert len(first) == 36  # 36 pairs < 32 * 32: all taken
    positives = 0
    for a, b, target in zip(first.tolist(), second.tolist(),
                            targets['labels']):
        rec = expected[(a, b)]
        if rec >= 0:
            positives += 1
            torch.testing.assert_close(target, labels[rec])
        else:
            assert target.sum() == 0
    assert positives == 4 + 2  # (0|3, 1|4) and (1|4, 2)
    # Positives come first; the negative cap is neg_pos_ub * #pos.
    assert targets['labels'][:positives].sum(1).min() == 1
    _, first, _, targets = sample_pairs(
        gt,
        proposals,
        p1_ids,
        p2_ids,
        dict(labels=labels),
        num=32,
        neg_pos_ub=1.)
    assert len(first) == 12 and targets['labels'].sum() == 6


def tiny_detector(**kwargs):
    cfg = dict(
        type='ProDAHHIDetector',
        backbone=dict(
            type='VisionTransformer',
            img_size=32,
            patch_size=16,
            embed_dims=16,
            depth=1,
            num_heads=2,
            mlp_ratio=2,
            qkv_bias=True,
            num_frames=4,
            norm_cfg=dict(type='LN', eps=1e-6),
            use_mean_pooling=False,
            return_feat_map=True),
        roi_extractor=dict(
            type='RoIExtractor3D', output_size=4, with_temporal_pool=True),
        roi_head=dict(
            type='ProDAHHIHead',
            num_classes=4,
            num_spec_classes=6,
            in_channels=16,
            token_builder=dict(
                type='HHIPairTokenBuilder',
                pair_channels=8,
                spatial_channels=8),
            encoder_cfg=dict(
                type='HHIPairEncoderLayer',
                num_heads=2,
                feedforward_channels=16),
            recon_cfg=dict(type='HHIReconstructNetwork'),
            **PLUGINS),
        data_preprocessor=dict(
            type='ActionDataPreprocessor',
            mean=[128.] * 3,
            std=[64.] * 3,
            format_shape='NCTHW'))
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def tiny_sample(gen, token):
    sample = ActionDataSample()
    gt = torch.tensor([[2., 2., 14., 30.], [20., 4., 40., 30.]])
    sample.gt_instances = InstanceData(bboxes=gt, labels=torch.zeros(2, 4))
    sample.proposals = InstanceData(bboxes=gt +
                                    torch.rand(2, 4, generator=gen))
    sample.set_field(np.array([0, 1]), 'p1_ids')
    sample.set_field(np.array([1, 0]), 'p2_ids')
    sample.set_field(np.eye(4, dtype=np.float32)[[1, 3]], 'gt_interactions')
    sample.set_field(np.eye(4, dtype=np.float32)[[1, 0]], 'c_interactions')
    sample.set_field(np.eye(4, dtype=np.float32)[[0, 3]], 'p_interactions')
    sample.set_field(token, 'token')
    sample.set_metainfo(dict(img_shape=(32, 48), img_key='v,0001'))
    return sample


def test_detector_loss_backward_and_predict():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    model = tiny_detector().train()
    tokens = [
        np.array([0, 1, 0, 0, 0, 0], np.float32),
        np.array([1, 1, 0, 1, 0, 0], np.float32)
    ]
    data = dict(
        inputs=[
            torch.randint(0, 255, (3, 4, 32, 48), dtype=torch.uint8)
            for _ in range(2)
        ],
        data_samples=[tiny_sample(gen, t) for t in tokens])
    batch = model.data_preprocessor(data, training=True)
    losses = model(**batch, mode='loss')
    assert set(losses) == {
        'loss_hhi_cls', 'loss_c', 'loss_p', 'loss_s', 'loss_r'
    }
    sum(losses.values()).backward()
    assert model.backbone.patch_embed.projection.weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        results = model(**model.data_preprocessor(data), mode='predict')
    pred = results[0].pred_instances
    assert pred.scores.shape == (4, 4)  # 2 proposals -> 4 ordered pairs
    # A keyframe without proposals gets no predictions.
    data['data_samples'][1].proposals = InstanceData(bboxes=torch.zeros(0, 4))
    with torch.no_grad():
        results = model(**model.data_preprocessor(data), mode='predict')
    assert results[1].pred_instances.scores.shape == (0, 4)
    assert results[0].pred_instances.scores.shape == (4, 4)
    torch.testing.assert_close(pred.scores.sum(-1), torch.ones(4))
    assert pred.p1_bboxes.max() <= 1 and pred.p2_bboxes.min() >= 0


def test_detector_names_missing_sample_fields():
    gen = torch.Generator().manual_seed(1)
    model = tiny_detector()
    sample = tiny_sample(gen, np.zeros(6, np.float32))
    del sample.c_interactions
    data = dict(
        inputs=[torch.zeros(1, 3, 4, 32, 48, dtype=torch.uint8)],
        data_samples=[sample])
    with pytest.raises(KeyError, match="v,0001 lacks 'c_interactions'"):
        model(**model.data_preprocessor(data, training=True), mode='loss')
    del sample.proposals
    with pytest.raises(KeyError, match='v,0001 has no proposals'):
        model(**model.data_preprocessor(data), mode='predict')
