"""The SportsHHI ProDA config: official settings, and its pipelines feeding
the detector and the metric on tiny files in the official layout.

The config names the package's DPM / gate fusion / AD losses; here they are
swapped for the test stand-ins of ``test_proda_hhi_head.py`` when the
package does not register them.
"""
import copy
import os.path as osp
import pickle

import mmcv
import numpy as np
import pytest
import torch
from mmaction.registry import DATASETS, METRICS, MODELS
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from test_proda_hhi_head import PLUGINS  # noqa: F401  (registers stand-ins)

import mmaction_ext  # noqa: F401

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT, 'configs', 'proda',
                  'proda_vit-b_8xb8-20e_sportshhi-hhicls.py')
STAND_INS = {
    'DynamicPromptModule': '_PlainPromptForTest',
    'GateFusion': '_PlainGateFusionForTest',
    'PearsonDisentanglementLoss': '_PlainDisLossForTest',
    'MarginReconstructionLoss': '_PlainRecLossForTest',
}


@pytest.fixture(scope='module')
def cfg():
    init_default_scope('mmaction')
    return Config.fromfile(CONFIG)


def with_stand_ins(head_cfg):
    head_cfg = copy.deepcopy(head_cfg)
    for key in ('prompt_cfg', 'fusion_cfg', 'dis_loss_cfg', 'rec_loss_cfg'):
        plugin = head_cfg[key]
        if plugin['type'] not in MODELS.module_dict:
            plugin['type'] = STAND_INS[plugin['type']]
            plugin.pop('reduction', None)
            plugin.pop('use_norm', None)
    return head_cfg


def test_official_settings(cfg):
    assert cfg.custom_imports['imports'] == ['mmaction_ext']
    head = cfg.model.roi_head
    assert head.num_classes == 29 and head.num_spec_classes == 35
    assert len(cfg.custom_classes) == 28
    assert head.prompt_cfg == dict(
        type='DynamicPromptModule', num_prompts=10, use_norm=True)
    assert head.encoder_cfg.num_heads == 8 and not head.encoder_cfg.ffn_norm
    assert head.recon_cfg.final_norm_eps == 1.0
    assert head.dis_loss_cfg.margin == 0.4
    assert head.dis_loss_cfg.reduction == 'batch'
    assert head.rec_loss_cfg.margin == 0.3
    assert head.loss_weights == dict(cls=1., c=1., p=0.1)
    assert cfg.model.union_min_corner_quirk
    assert cfg.model.sampler_cfg == dict(
        pos_iou_thr=0.7,
        num=32,
        pos_fraction=1.0,
        neg_pos_ub=10.0,
        add_gt_as_proposals=True)
    assert cfg.model.backbone.num_frames == 4
    optim = cfg.optim_wrapper
    assert optim.optimizer.lr == 8e-5 and optim.optimizer.weight_decay == 0.05
    assert optim.paramwise_cfg.decay_rate == 0.75
    assert optim.clip_grad.max_norm == 40
    assert cfg.train_cfg.max_epochs == 20
    assert [(s.type, s.begin, s.end)
            for s in cfg.param_scheduler] == [('LinearLR', 0, 5),
                                              ('CosineAnnealingLR', 5, 20)]
    assert cfg.train_dataloader.batch_size == 8
    assert cfg.val_dataloader.batch_size == 1
    assert cfg.val_dataloader.dataset.eval_spec == 'all'
    assert cfg.val_evaluator.type == 'SportsHHIMetric'


def count(module):
    return sum(p.numel() for p in module.parameters())


def test_model_size_matches_paper_table2(cfg):
    head = MODELS.build(with_stand_ins(cfg.model.roi_head))
    assert head.embed_dims == 1792
    prompts = count(head.prompts_s) + count(head.prompts_u)
    assert prompts == 1462292  # the paper's "DPM adds ~1.46M"
    # ViT-B from two shallow builds: embeddings + 12 blocks.
    one, two = (
        MODELS.build(dict(cfg.model.backbone, depth=depth))
        for depth in (1, 2))
    backbone = count(one) + 11 * (count(two) - count(one))
    assert backbone == 86227200
    # Table 2 counts the model used at test time: without the training-only
    # reconstruction network, 123.19M; the SportsHHI baseline has no
    # prompts, gate fusion, projection or branch classifiers: 111.18M.
    inference = backbone + count(head) - count(head.recon_net)
    assert inference == 123194862
    extras = prompts + count(head.fusion) + count(head.pj) + count(
        head.c_cls) + count(head.p_cls)
    assert inference - extras == 111179421


ROWS = [
    'vid1,10,0.1,0.1,0.3,0.6,0.5,0.1,0.8,0.7,2,1,2',
    'vid1,11,0.5,0.1,0.8,0.7,0.1,0.1,0.3,0.6,3,2,1',
    'vid1,25,0.2,0.2,0.5,0.9,0.6,0.2,0.9,0.9,9,1,3',
]


def write_sportshhi(root):
    frames = osp.join(root, 'frames', 'vid1')
    for index in range(0, 40):
        image = np.full((32, 48, 3), index * 5, np.uint8)
        mmcv.imwrite(image, osp.join(frames, f'{index:06d}.jpg'))
    ann = osp.join(root, 'sports_train_v1.csv')
    with open(ann, 'w') as f:
        f.write('\n'.join(ROWS) + '\n')
    proposals = {
        'vid1,0002':
        np.array([[0.1, 0.1, 0.3, 0.6, 0.99], [0.5, 0.1, 0.8, 0.7, 0.95]]),
        'vid1,0005':
        np.array([[0.2, 0.2, 0.5, 0.9], [0.6, 0.2, 0.9, 0.9]]),
    }
    with open(osp.join(root, 'proposals.pkl'), 'wb') as f:
        pickle.dump(proposals, f)
    return ann


def tiny_model_cfg(cfg):
    model = copy.deepcopy(cfg.model)
    model.pop('init_cfg')
    model.backbone.update(embed_dims=16, depth=1, num_heads=2, img_size=32)
    model.roi_extractor.update(output_size=2)
    head = with_stand_ins(model.roi_head)
    head.update(in_channels=16)
    head.token_builder.update(pair_channels=8, spatial_channels=8)
    head.encoder_cfg.update(num_heads=2, feedforward_channels=16)
    model.roi_head = head
    return model


def test_pipeline_detector_metric_roundtrip(cfg, tmp_path):
    torch.manual_seed(0)
    np.random.seed(0)
    ann = write_sportshhi(str(tmp_path))
    files = dict(
        ann_file=ann,
        label_file=None,
        proposal_file=str(tmp_path / 'proposals.pkl'),
        data_prefix=dict(img=str(tmp_path / 'frames')))
    train_set = DATASETS.build(dict(cfg.train_dataloader.dataset, **files))
    val_set = DATASETS.build(dict(cfg.val_dataloader.dataset, **files))
    assert len(train_set) == len(val_set) == 2
    sample = train_set[0]
    assert sample['inputs'].shape == (3, 4, 256, 384)
    packed = sample['data_samples']
    np.testing.assert_allclose(
        packed.gt_instances.bboxes[0], [38.4, 25.6, 115.2, 153.6], rtol=1e-5)
    assert packed.token.shape == (35, ) and packed.p1_ids.tolist() == [0, 1]

    model = MODELS.build(tiny_model_cfg(cfg))
    model.init_weights()
    model.train()
    batch = model.data_preprocessor(
        pseudo_collate([train_set[0], train_set[1]]), training=True)
    losses = model(**batch, mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    optim.step()

    model.eval()
    metric = METRICS.build(cfg.val_evaluator)
    for index in range(len(val_set)):
        data = model.data_preprocessor(pseudo_collate([val_set[index]]))
        with torch.no_grad():
            outputs = model(**data, mode='predict')
        metric.process({}, [o.to_dict() for o in outputs])
    scores = metric.compute_metrics(metric.results)
    assert 0 <= scores['mAP'] <= 1 and 'recall@150' in scores
    # 2 proposals per keyframe -> all 4 ordered pairs scored
    assert outputs[0].pred_instances.scores.shape == (4, 29)


def test_runner_trains_and_validates_one_epoch(cfg, tmp_path):
    from mmengine.runner import Runner
    ann = write_sportshhi(str(tmp_path))
    files = dict(
        ann_file=ann,
        label_file=None,
        proposal_file=str(tmp_path / 'proposals.pkl'),
        data_prefix=dict(img=str(tmp_path / 'frames')))
    run = copy.deepcopy(cfg)
    run.model = tiny_model_cfg(cfg)
    run.work_dir = str(tmp_path / 'work')
    run.train_cfg.max_epochs = 1
    run.randomness = dict(seed=0)
    for loader, batch in (('train_dataloader', 2), ('val_dataloader', 1),
                          ('test_dataloader', 1)):
        run[loader].update(
            batch_size=batch, num_workers=0, persistent_workers=False)
        run[loader].dataset.update(files)
        for step in run[loader].dataset.pipeline:
            if step.type == 'Resize':
                step.scale = (-1, 32)  # keep the frames small
    runner = Runner.from_cfg(run)
    runner.train()
    metrics = runner.val_loop.run()
    assert 0 <= metrics['mAP'] <= 1
    assert osp.isfile(osp.join(run.work_dir, 'epoch_1.pth'))
