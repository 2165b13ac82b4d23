"""ProDA recognizer: forward/backward on contract tensors, prediction,
ablation variants, and the frozen second stage."""
import copy

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

B, N, M, D, R, C = 2, 4, 3, 8, 5, 10


def model_cfg(**kwargs):
    cfg = dict(
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
        prompt=dict(type='DynamicPromptModule', num_prompts=3))
    cfg.update(kwargs)
    return cfg


def batch(model, seed=0, specs=None):
    gen = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for b in range(B):
        mask = torch.rand(N, M, generator=gen) > 0.3
        mask[:, 0] = True
        inputs.append(
            dict(
                node_feats=torch.randn(N, M, D, generator=gen),
                node_mask=mask,
                relations=(torch.rand(N, M, M, R, generator=gen)
                           > 0.7).float()))
        sample = ActionDataSample(metainfo=dict(video_id=f'v{b}'))
        sample.set_gt_label(torch.tensor([1, 3 + b]))
        spec = specs[b] if specs is not None else \
            torch.rand(3 + b, C, generator=gen) > 0.5
        sample.set_field(spec, 'action_specs')
        samples.append(sample)
    return model.data_preprocessor(
        dict(inputs=inputs, data_samples=samples), True)


def test_loss_backward_and_predict():
    torch.manual_seed(0)
    model = MODELS.build(model_cfg())
    model.init_weights()
    data = batch(model)
    losses = model(**data, mode='loss')
    assert set(losses) == {
        'loss_u', 'loss_s', 'loss_t', 'loss_m', 'loss_dis', 'loss_rec'
    }
    sum(losses.values()).backward()
    for name, param in model.named_parameters():
        assert param.grad is not None, name
        assert torch.isfinite(param.grad).all(), name
    out = model(**data, mode='tensor')
    assert out['a_s'].shape == (3 + 4, C + 1)
    assert out['a_m'].shape == (B, C)
    assert out['index'].tolist() == [0] * 3 + [1] * 4
    model.eval()
    with torch.no_grad():
        preds = model(**copy.deepcopy(data), mode='predict')
        out = model(**data, mode='tensor')
    torch.testing.assert_close(preds[1].pred_score,
                               out['a_t'][3:].sigmoid().mean(0))
    assert preds[0].spec_scores.shape == (3, C + 1)
    assert preds[0].frame_weights.shape == (3, N)


def test_specification_edge_cases():
    torch.manual_seed(0)
    model = MODELS.build(model_cfg()).eval()
    empty = [torch.zeros(1, C, dtype=torch.bool)] * B  # SAP holds nothing
    full = [torch.ones(1, C, dtype=torch.bool)] * B
    for specs in (empty, full):
        losses = model(**batch(model, specs=specs), mode='loss')
        assert all(torch.isfinite(v) for v in losses.values())
    data = batch(model)
    for sample in data['data_samples']:
        del sample.action_specs  # no sampler: all classes specified
    assert model(**data, mode='tensor')['spec'].shape == (B, C)
    data = batch(model)
    data['data_samples'][0].action_specs = torch.ones(2, C + 1).bool()
    with pytest.raises(ValueError, match='sample 0'):
        model(**data, mode='loss')
    data = batch(model)
    data['data_samples'][1].set_gt_label(torch.tensor([C]))
    with pytest.raises(ValueError, match='v1'):
        model(**data, mode='loss')


@pytest.mark.parametrize('variant', [
    dict(prompt=dict(type='SimplePrompt')),
    dict(loss_dis=None, loss_rec=None),
    dict(share_vgpnn=False, detach_probe=False),
    dict(
        loss_dis=dict(
            type='PearsonDisentanglementLoss', margin=0., reduction='batch'),
        loss_rec=dict(type='MarginReconstructionLoss', margin=0.)),
])
def test_ablation_variants(variant):
    torch.manual_seed(0)
    model = MODELS.build(model_cfg(**variant))
    losses = model(**batch(model), mode='loss')
    sum(losses.values()).backward()
    if variant.get('loss_rec', 1) is None:
        assert 'loss_rec' not in losses and model.reconstructor is None


def test_stage_two_trains_only_the_head():
    torch.manual_seed(0)
    model = MODELS.build(model_cfg(trainable=('head', )))
    model.train()
    frozen = {
        n: p
        for n, p in model.named_parameters() if not n.startswith('head.')
    }
    assert frozen and not any(p.requires_grad for p in frozen.values())
    assert all(p.requires_grad for p in model.head.parameters())
    assert not model.vgpnn.training and not model.encoder.training
    assert model.head.training
    with DefaultScope.overwrite_default_scope('mmaction'):
        wrapper = build_optim_wrapper(
            model,
            dict(
                constructor='TrainableParamsOptimWrapperConstructor',
                optimizer=dict(type='AdamW', lr=0.1, weight_decay=0.5),
                paramwise_cfg=dict(norm_decay_mult=0.)))
    in_optim = {
        id(p)
        for g in wrapper.optimizer.param_groups
        for p in g['params']
    }
    assert in_optim == {id(p) for p in model.head.parameters()}
    state = {k: v.clone() for k, v in model.state_dict().items()}
    for step in range(2):
        wrapper.update_params(
            sum(model(**batch(model, step), mode='loss').values()))
    for key, value in model.state_dict().items():
        if key.startswith('head.'):
            assert not torch.equal(value, state[key]), key
        else:  # parameters and VGNorm's running mean untouched
            assert torch.equal(value, state[key]), key
    with pytest.raises(ValueError, match='submodules'):
        MODELS.build(model_cfg(trainable=('heads', )))
    with pytest.raises(ValueError, match='embed_dims'):
        MODELS.build(model_cfg(embed_dims=32))


def test_preprocessor_stacks_and_checks_shapes():
    model = MODELS.build(model_cfg())
    single = dict(
        node_feats=torch.zeros(N, M, D),
        node_mask=torch.ones(N, M),
        relations=torch.zeros(N, M, M, R))
    # pseudo_collate gives a dict of lists
    data = model.data_preprocessor(
        dict(inputs={
            k: [v, v]
            for k, v in single.items()
        }, data_samples=[]))
    assert data['inputs']['node_feats'].shape == (2, N, M, D)
    assert data['inputs']['node_mask'].dtype == torch.bool
    other = dict(single, node_feats=torch.zeros(N, M + 1, D))
    with pytest.raises(ValueError, match='node_feats'):
        model.data_preprocessor(dict(inputs=[single, other], data_samples=[]))
    with pytest.raises(KeyError, match='relations'):
        model.data_preprocessor(
            dict(
                inputs=[
                    dict(
                        node_feats=single['node_feats'],
                        node_mask=single['node_mask'])
                ],
                data_samples=[]))
