"""SAGE's model on random tensors of its input contract (tiny sizes)."""
import copy

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from sage_helpers import DIMS, contract_sample, model_cfg, save_tiny_clip

from mmaction_ext.datasets.vidvrd_classes import load_vocabulary
from mmaction_ext.datasets.vidvrd_relations import check_relation
from mmaction_ext.datasets.vidvrd_segments import pair_relation_span
from mmaction_ext.models.utils import SemanticEnhancement

STAGE2_FROZEN = ('encoder', 'head.relation_proj', 'head.object_proj',
                 'head.interaction')


@pytest.fixture(scope='module')
def clip_dir(tmp_path_factory):
    return save_tiny_clip(tmp_path_factory.mktemp('sage_clip'))


def build(clip_dir, tmp_path, **kwargs):
    torch.manual_seed(0)
    return MODELS.build(model_cfg(clip_dir, tmp_path, **kwargs))


def batch(pairs=(3, 5), descriptions=True):
    inputs, samples = [], []
    for seed, count in enumerate(pairs):
        x, s = contract_sample(
            count, descriptions=descriptions, seed=seed, **_dims())
        inputs.append(x)
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


def _dims():
    return dict(dims=16, motion_dims=6, text_dims=16)


def run(model, data, mode):
    data = model.data_preprocessor(copy.deepcopy(data), mode == 'loss')
    return model(**data, mode=mode)


def test_preprocessor_pads_pairs_and_checks_samples(clip_dir, tmp_path):
    model = build(clip_dir, tmp_path)
    data = model.data_preprocessor(batch((3, 5)))
    inputs = data['inputs']
    assert inputs['subject_feats'].shape == (2, 5, 4, 16)
    assert inputs['frame_feats'].shape == (2, 4, 16)
    assert inputs['description_feats'].shape == (2, 5, 4, 16)
    assert inputs['pair_valid'].tolist() == [[True] * 3 + [False] * 2,
                                             [True] * 5]
    assert not inputs['pair_mask'][0, 3:].any()
    bad = batch((3, 5))
    bad['inputs'][1]['pair_mask'][2] = False
    with pytest.raises(
            ValueError,
            match=r"sample 1 \(video 'v1'.*pairs "
            r'\[2\] have no valid frame'):
        model.data_preprocessor(bad)
    bad = batch((3, 5))
    del bad['inputs'][0]['description_feats']
    with pytest.raises(KeyError, match='sample 0.*description_feats'):
        model.data_preprocessor(bad)
    bad = batch((3, 5))
    bad['inputs'][0]['union_feats'] = bad['inputs'][0]['union_feats'][:2]
    with pytest.raises(ValueError, match='pair counts differ'):
        model.data_preprocessor(bad)


def test_losses_are_finite_and_reach_the_visual_side(clip_dir, tmp_path):
    model = build(clip_dir, tmp_path, frozen_modules=('head.prompt_learner', ))
    model.head.learn_prompts = False  # stage 1
    model.train()
    losses = run(model, batch(), 'loss')
    assert set(losses) == {'loss_rel', 'loss_obj', 'loss_int'}
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    for name, param in model.encoder.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
    assert model.head.prompt_learner.context.grad is None
    assert not model.head.prompt_learner.context.requires_grad


def test_stage_two_freezes_the_visual_side(clip_dir, tmp_path):
    model = build(clip_dir, tmp_path, frozen_modules=STAGE2_FROZEN)
    model.train()
    for name in STAGE2_FROZEN:
        module = model.get_submodule(name)
        assert not module.training, name
        assert not any(p.requires_grad for p in module.parameters()), name
    losses = run(model, batch(), 'loss')
    assert 'loss_kg' in losses
    sum(losses.values()).backward()
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == {
        'head.prompt_learner.context', 'head.prompt_learner.tke.0.weight',
        'head.prompt_learner.tke.0.bias', 'head.prompt_learner.tke.2.weight',
        'head.prompt_learner.tke.2.bias'
    }
    assert all(model.get_parameter(n).grad.abs().sum() > 0 for n in trainable)
    assert all(p.grad is None for p in model.encoder.parameters())
    with pytest.raises(ValueError, match="'encoder.nope'"):
        build(clip_dir, tmp_path, frozen_modules=('encoder.nope', ))


def test_descriptions_are_used_and_optional(clip_dir, tmp_path):
    model = build(clip_dir, tmp_path).eval()
    data = batch()
    with torch.no_grad():
        full = run(model, data, 'tensor')['relation']
        other = copy.deepcopy(data)
        other['inputs'][0]['description_feats'] += 1
        changed = run(model, other, 'tensor')['relation']
        without = run(model, batch(descriptions=False), 'tensor')['relation']
    assert not torch.allclose(full[:3], changed[:3])
    assert torch.allclose(full[3:], changed[3:], atol=1e-6)
    assert without.shape == full.shape == (8, 64)
    plain = build(
        clip_dir,
        tmp_path,
        encoder=dict(
            type='SAGERelationEncoder',
            embed_dims=16,
            semantic_enhancement=False,
            spatial_layers=0,
            temporal_layers=2,
            **DIMS))
    assert not any('enhancement' in n or 'text_proj' in n
                   for n, _ in plain.encoder.named_parameters())
    losses = run(plain.train(), batch(descriptions=False), 'loss')
    assert all(torch.isfinite(v) for v in losses.values())


def test_padding_and_masked_frames_do_not_change_results(clip_dir, tmp_path):
    model = build(clip_dir, tmp_path).eval()
    data = batch((3, 5))
    with torch.no_grad():
        together = run(model, data, 'tensor')
        alone = batch((3, ))
        first = run(model, alone, 'tensor')
        masked = copy.deepcopy(alone)
        frames = ~masked['inputs'][0]['pair_mask']
        masked['inputs'][0]['subject_feats'][frames] = 99.
        masked['inputs'][0]['motion_feats'][frames] = -9.
        masked_out = run(model, masked, 'tensor')
    for key in ('relation', 'subject', 'object'):
        assert torch.allclose(together[key][:3], first[key], atol=1e-5)
        assert torch.allclose(masked_out[key], first[key], atol=1e-5)


@pytest.mark.parametrize('labels', ['predict', 'given'])
def test_predict_gives_metric_ready_segment_relations(clip_dir, tmp_path,
                                                      labels):
    model = build(
        clip_dir,
        tmp_path,
        test_cfg=dict(object_labels=labels, pred_topk=3, seg_topk=7)).eval()
    data = batch((3, 5))
    with torch.no_grad():
        samples = run(model, data, 'predict')
    vocabulary = load_vocabulary('vidvrd')
    for n, sample in enumerate(samples):
        relations = sample.pred_relations
        assert len(relations) == 7
        scores = [r['score'] for r in relations]
        assert scores == sorted(scores, reverse=True)
        for i, rel in enumerate(relations):
            check_relation(rel, f'{n}.{i}', True, vocabulary)
            assert rel['duration'] == sample.segment
        assert sample.pred_pair_scores['relation'].shape == (len(
            sample.subject_labels), 132)
        if labels == 'given':
            given = {(vocabulary.objects[s], vocabulary.objects[o])
                     for s, o in zip(sample.subject_labels.tolist(),
                                     sample.object_labels.tolist())}
            assert {(r['triplet'][0], r['triplet'][2])
                    for r in relations} <= given
    bad = batch((3, ))
    del bad['data_samples'][0].object_boxes
    with pytest.raises(KeyError, match="lacks 'object_boxes'"):
        run(model, bad, 'predict')


def test_image_conditioned_prompting_trains(clip_dir, tmp_path):
    learner = dict(
        type='ImageConditionedPromptLearner',
        text_encoder=dict(type='CLIPTextEncoder', pretrained=clip_dir),
        classes='vidvrd_predicates',
        visual_dims=64,
        insert_layer=2)
    model = build(
        clip_dir, tmp_path, learner=learner,
        frozen_modules=STAGE2_FROZEN).train()
    losses = run(model, batch((2, 1)), 'loss')
    sum(losses.values()).backward()
    assert model.head.prompt_learner.meta_net[0].weight.grad.abs().sum() > 0


def test_object_labels_outside_the_training_classes_fail(clip_dir, tmp_path):
    model = build(clip_dir, tmp_path).train()
    data = batch((2, ))
    data['data_samples'][0].object_labels[0] = 25
    with pytest.raises(
            ValueError,
            match=r'object labels \[25\] are not '
            'indices of the 25 training objects'):
        run(model, data, 'loss')


def test_class_prompts_are_encoded_once_per_evaluation(clip_dir, tmp_path):
    model = build(clip_dir, tmp_path).eval()
    data = batch((3, ))
    with torch.no_grad():
        first = run(model, data, 'predict')[0].pred_pair_scores['relation']
        model.head.prompt_learner.context.add_(1.)
        cached = run(model, data, 'predict')[0].pred_pair_scores['relation']
        model.train().eval()  # a new evaluation encodes the prompts again
        fresh = run(model, data, 'predict')[0].pred_pair_scores['relation']
    assert torch.equal(first, cached)
    assert not torch.allclose(first, fresh)


def test_segments_without_pairs(clip_dir, tmp_path):
    model = build(clip_dir, tmp_path).eval()
    data = batch((0, 3))
    with torch.no_grad():
        samples = run(model, data, 'predict')
    assert samples[0].pred_relations == []
    assert len(samples[1].pred_relations) == 30
    with pytest.raises(
            ValueError,
            match=r"without subject-object pairs "
            r"\(videos \['v0'\]\)"):
        run(model.train(), batch((0, )), 'loss')


def test_semantic_enhancement_equals_eq_4_5_per_pair():
    torch.manual_seed(0)
    block = SemanticEnhancement(16, 8, 0.1, 2).eval()
    visual, text = torch.randn(3, 5, 4, 16), torch.randn(3, 4, 16)
    mask = torch.rand(3, 5) > 0.4
    mask[:, 0] = True
    with torch.no_grad():
        ours = block(visual, text, mask)
        for n in range(3):
            refined = block.visual_refine(visual[n])  # (T, 4, C) per frame
            keys = refined[mask[n]].reshape(1, -1, 16)  # valid frames only
            query = block.text_refine(text[n:n + 1])
            attended = block.cross_attention(query, keys, keys)[0]
            expected = visual[n] + attended  # added at every frame
            assert torch.allclose(ours[n], expected, atol=1e-5)


@pytest.mark.parametrize('fusion', ['sum', 'concat', 'gated'])
def test_fusion_baselines_of_fig_3(fusion):
    torch.manual_seed(0)
    block = SemanticEnhancement(16, 8, 0.1, 2, fusion)
    visual, text = torch.randn(2, 5, 4, 16), torch.randn(2, 4, 16)
    out = block(visual, text, torch.ones(2, 5, dtype=torch.bool))
    spread = text[:, None].expand_as(visual)
    both = torch.cat([visual, spread], -1)
    expected = dict(
        sum=lambda: visual + spread,
        concat=lambda: block.merge(both),
        gated=lambda: visual + torch.sigmoid(block.gate(both)) * spread)
    assert torch.allclose(out, expected[fusion](), atol=1e-6)
    assert not hasattr(block, 'cross_attention')
    with pytest.raises(ValueError, match='fusion'):
        SemanticEnhancement(16, 8, 0.1, 2, 'product')


def test_relation_targets_need_one_column_per_predicate(clip_dir, tmp_path):
    model = build(clip_dir, tmp_path).train()
    data = batch((2, ))
    data['data_samples'][0].relation_targets = torch.zeros(2, 132)
    with pytest.raises(ValueError, match='132 columns.*71'):
        run(model, data, 'loss')


def test_pair_span_cuts_the_common_frames_and_fills_gaps():
    nan = float('nan')
    sub = np.array([[nan] * 4] * 2 +
                   [[0., 0, 10, 10], [nan] * 4, [nan] * 4, [6., 6, 16, 16]] +
                   [[nan] * 4])
    obj = np.array([[1., 1, 5, 5]] * 7)
    span = pair_relation_span(sub, obj, 100)
    duration, sub_traj, obj_traj = (span[k] for k in ('duration', 'sub_traj',
                                                      'obj_traj'))
    assert tuple(duration) == (102, 106)
    # plain linear interpolation of frames 3 and 4 between 2 and 5
    expected = [[0, 0, 10, 10], [2, 2, 12, 12], [4, 4, 14, 14], [6, 6, 16, 16]]
    assert np.allclose(sub_traj, expected)
    assert np.allclose(obj_traj, [[1, 1, 5, 5]] * 4)
    assert pair_relation_span(sub[:2], obj[:2], 0) is None
