"""SAGE's two training stages and its test through MMEngine's Runner, on
in-memory segments of the input contract packed by PackActionInputs."""
import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.runner import Runner
from sage_helpers import contract_sample, model_cfg, save_tiny_clip

from mmaction.registry import DATASETS

INPUT_KEYS = ('subject_feats', 'object_feats', 'union_feats', 'frame_feats',
              'motion_feats', 'pair_mask', 'description_feats')
SAMPLE_KEYS = ('pair_tids', 'subject_labels', 'object_labels',
               'subject_scores', 'object_scores', 'subject_boxes',
               'object_boxes', 'relation_targets')
META_KEYS = ('video_id', 'segment', 'gt_relations')
STAGE2_FROZEN = ('encoder', 'head.relation_proj', 'head.object_proj',
                 'head.interaction')


@DATASETS.register_module(force=True)
class ContractSegments(BaseDataset):
    """Random contract segments of two videos (test only)."""

    def __init__(self, num_segments: int = 4, **kwargs):
        self.num_segments = num_segments
        super().__init__(ann_file='', serialize_data=False, **kwargs)

    def load_data_list(self):
        items = []
        for seed in range(self.num_segments):
            inputs, sample = contract_sample(
                2 + seed % 3, dims=16, motion_dims=6, text_dims=16, seed=seed)
            item = {k: v.numpy() for k, v in inputs.items()}
            for key in SAMPLE_KEYS:
                item[key] = np.asarray(sample.get(key))
            item.update(video_id=sample.video_id, segment=sample.segment)
            if seed < 2:  # the first segment of each video
                item['gt_relations'] = [GT_RELATION]
            items.append(item)
        return items


BOXES = [[10., 10., 50., 60.]] * 60
GT_RELATION = dict(
    triplet=['dog', 'chase', 'domestic_cat'],
    duration=[0, 60],
    sub_traj=BOXES,
    obj_traj=BOXES)


def runner(tmp_path, name, model, **kwargs):
    loader = dict(
        batch_size=2,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='ContractSegments',
            pipeline=[
                dict(
                    type='PackActionInputs',
                    collect_keys=INPUT_KEYS,
                    meta_keys=META_KEYS,
                    algorithm_keys=SAMPLE_KEYS)
            ]))
    return Runner(
        model=model,
        work_dir=str(tmp_path / name),
        experiment_name=name,
        default_scope='mmaction',
        train_dataloader=loader,
        train_cfg=dict(by_epoch=True, max_epochs=2, val_interval=2),
        optim_wrapper=dict(
            optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.01)),
        param_scheduler=[
            dict(type='MultiStepLR', by_epoch=True, milestones=[1], gamma=.1)
        ],
        val_dataloader=loader,
        val_cfg=dict(),
        val_evaluator=dict(type='VidVRDSegmentMetric'),
        default_hooks=dict(
            logger=dict(type='LoggerHook', interval=1),
            checkpoint=dict(type='CheckpointHook', interval=2)),
        log_level='WARNING',
        **kwargs)


def test_two_stages_train_and_validate(tmp_path):
    clip = save_tiny_clip(tmp_path / 'clip')
    cache = tmp_path / 'cache'
    stage1 = runner(
        tmp_path, 'stage1',
        model_cfg(clip, cache, frozen_modules=('head.prompt_learner', )))
    stage1.model.head.learn_prompts = False
    context = stage1.model.head.prompt_learner.context.detach().clone()
    encoder = {
        k: v.clone()
        for k, v in stage1.model.encoder.state_dict().items()
    }
    stage1.train()
    metrics = stage1.val_loop.run()
    assert set(metrics) >= {'mAP', 'R@50', 'R@100', 'P@1'}
    assert torch.equal(stage1.model.head.prompt_learner.context, context)
    assert any(not torch.equal(v,
                               stage1.model.encoder.state_dict()[k])
               for k, v in encoder.items())
    checkpoint = str(tmp_path / 'stage1' / 'epoch_2.pth')

    stage2 = runner(
        tmp_path,
        'stage2',
        model_cfg(clip, cache, frozen_modules=STAGE2_FROZEN),
        load_from=checkpoint)
    stage2.train()
    trained = stage2.model.state_dict()
    loaded = torch.load(checkpoint, map_location='cpu')['state_dict']
    for key, value in loaded.items():
        same = torch.equal(value, trained[key])
        if key.startswith(STAGE2_FROZEN):
            assert same, f'{key} changed in stage 2'
    assert not torch.equal(loaded['head.prompt_learner.context'],
                           trained['head.prompt_learner.context'])
