"""ProDA through MMEngine's Runner: stage 1, stage 2 from its checkpoint
(frozen body unchanged), test with the analysis metrics, on a tiny
in-test dataset that emits the scene-graph input contract."""
import copy

import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.runner import Runner

from mmaction.registry import DATASETS

N, M, D, R, C = 4, 3, 8, 5, 6


@DATASETS.register_module(force=True)
class ContractSceneGraphs(BaseDataset):
    """Random videos with the fields of the scene-graph dataset contract."""

    def __init__(self, num_videos=6, **kwargs):
        self.num_videos = num_videos
        super().__init__(serialize_data=False, **kwargs)

    def load_data_list(self):
        rng = np.random.default_rng(0)
        videos = []
        for i in range(self.num_videos):
            labels = sorted(rng.choice(C, rng.integers(1, 4), False))
            mask = rng.random((N, M)) > 0.3
            mask[:, 0] = True
            videos.append(
                dict(
                    video_id=f'v{i}',
                    label=[int(x) for x in labels],
                    node_feats=rng.standard_normal(
                        (N, M, D)).astype('float32'),
                    node_mask=mask,
                    relations=(rng.random((N, M, M, R))
                               > 0.7).astype('float32'),
                    frame_inds=np.arange(N) * 3,
                    num_frames=3 * N,
                    action_segments=[(int(x), 3, 6) for x in labels]))
        return videos


def pipeline(protocol):
    return [
        dict(
            type='SampleActionSpecifications',
            num_classes=C,
            spec_len=2,
            protocol=protocol,
            max_specs=4),
        dict(
            type='PackActionInputs',
            collect_keys=('node_feats', 'node_mask', 'relations'),
            meta_keys=('video_id', 'frame_inds', 'num_frames',
                       'action_segments'),
            algorithm_keys=('action_specs', 'spec_num_present',
                            'spec_distractor'))
    ]


def loader(protocol):
    return dict(
        batch_size=3,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='ContractSceneGraphs', pipeline=pipeline(protocol)))


def config(work_dir, **model):
    return dict(
        default_scope='mmaction',
        custom_imports=dict(imports=['mmaction_ext']),
        work_dir=str(work_dir),
        randomness=dict(seed=0),
        model=dict(
            type='ProDARecognizer',
            num_classes=C,
            embed_dims=16,
            encoder=dict(
                type='DualAIEncoder',
                in_channels=D,
                embed_dims=16,
                num_heads=2,
                ffn_dims=32),
            vgpnn=dict(
                type='VGPNN',
                num_relations=R,
                num_layers=1,
                layer_cfg=dict(num_heads=2, ffn_dims=32),
                norm_cfg=dict(type='VGNorm', num_frames=N)),
            prompt=dict(type='DynamicPromptModule', num_prompts=2),
            **model),
        train_dataloader=loader('recipe'),
        val_dataloader=loader('partition'),
        test_dataloader=loader('gt_recipe'),
        train_cfg=dict(
            type='EpochBasedTrainLoop', max_epochs=1, val_interval=1),
        val_cfg=dict(type='ValLoop'),
        test_cfg=dict(type='TestLoop'),
        val_evaluator=dict(type='ProDAMetric', num_classes=C),
        test_evaluator=dict(
            type='ProDAMetric',
            num_classes=C,
            by_label_count=True,
            localization=True,
            thetas=(0.5, ),
            iou_thrs=(0.5, )),
        optim_wrapper=dict(
            constructor='TrainableParamsOptimWrapperConstructor',
            optimizer=dict(type='AdamW', lr=1e-3)),
        default_hooks=dict(
            checkpoint=dict(
                type='CheckpointHook',
                interval=1,
                save_best='proda/a_s_mAP',
                rule='greater')),
        custom_hooks=[dict(type='BestCheckpointLinkHook')],
        log_level='WARNING')


def test_two_stages_and_test(tmp_path):
    stage1 = Runner.from_cfg(config(tmp_path / 's1'))
    stage1.train()
    weights = copy.deepcopy(stage1.model.state_dict())
    metrics = stage1.val_loop.run()
    assert 'proda/a_t_mAP' in metrics and 'proda/a_s_mAP' in metrics

    cfg = config(tmp_path / 's2', trainable=('head', ))
    cfg['load_from'] = str(tmp_path / 's1' / 'best.pth')  # the copy
    stage2 = Runner.from_cfg(cfg)
    stage2.train()
    after = stage2.model.state_dict()
    for key, value in weights.items():
        same = torch.equal(value, after[key])
        assert same != key.startswith('head.'), key
    metrics = stage2.test()
    assert 'proda/a_s_mAP/clean/L1' in metrics
    assert 'proda/loc_mAP/clean/theta0.5/iou0.5' in metrics
    assert all(np.isfinite(v) for v in metrics.values())
