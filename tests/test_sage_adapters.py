"""SAGE Table 6's adapters in our reading (CLIP-Adapter on the CLIP region
features and on the predicate classifiers): the formula, the identity at
ratio 0, which stage trains them, and that without them the model is the
one without the option (tiny sizes)."""
import copy

import pytest
import torch
from mmaction.registry import MODELS
from sage_helpers import DIMS, contract_sample, model_cfg, save_tiny_clip

from mmaction_ext.models.adapters import CLIPAdapter

STAGE1_FROZEN = ('head.prompt_learner', )
STAGE2_FROZEN = ('encoder', 'head.relation_proj', 'head.object_proj',
                 'head.interaction')
ADAPTER = dict(type='CLIPAdapter', reduction=4, ratio=0.2)


@pytest.fixture(scope='module')
def clip_dir(tmp_path_factory):
    return save_tiny_clip(tmp_path_factory.mktemp('sage_clip'))


def build(clip_dir, tmp_path, visual=None, text=None, **kwargs):
    cfg = model_cfg(clip_dir, tmp_path, **kwargs)
    cfg['encoder'] = dict(cfg['encoder'], visual_adapter=visual)
    cfg['head'] = dict(cfg['head'], text_adapter=text)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def batch(pairs=(3, 5)):
    inputs, samples = [], []
    for seed, count in enumerate(pairs):
        x, s = contract_sample(count, seed=seed, dims=16, motion_dims=6)
        inputs.append(x)
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


def run(model, data, mode):
    data = model.data_preprocessor(copy.deepcopy(data), mode == 'loss')
    return model(**data, mode=mode)


def adapter_params(model):
    return {n for n, _ in model.named_parameters() if 'adapter' in n}


def test_clip_adapter_is_its_formula():
    torch.manual_seed(0)
    adapter = CLIPAdapter(16, reduction=4, ratio=0.3)
    x = torch.randn(2, 3, 5, 16)
    w1, w2 = adapter.fc[0].weight, adapter.fc[2].weight
    assert w1.shape == (4, 16) and w2.shape == (16, 4)
    assert adapter.fc[0].bias is None and adapter.fc[2].bias is None
    bottleneck = torch.relu(torch.relu(x @ w1.t()) @ w2.t())
    expected = 0.3 * bottleneck + 0.7 * x
    out = adapter(x)
    assert out.shape == x.shape
    assert torch.allclose(out, expected, atol=1e-6)
    assert not torch.allclose(out, x)
    assert torch.equal(adapter(torch.zeros(4, 16)), torch.zeros(4, 16))
    identity = CLIPAdapter(16, ratio=0.)
    assert torch.equal(identity(x), x)
    out.sum().backward()
    assert w1.grad.abs().sum() > 0 and w2.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='ratio must be in'):
        CLIPAdapter(16, ratio=1.5)
    with pytest.raises(ValueError, match='reduction 32 does not fit'):
        CLIPAdapter(16, reduction=32)
    with pytest.raises(ValueError, match=r'size 16, got \(2, 8\)'):
        adapter(torch.zeros(2, 8))


def test_without_adapters_no_parameter_is_created(clip_dir, tmp_path):
    plain = build(clip_dir, tmp_path)
    cfg = model_cfg(clip_dir, tmp_path)  # the option not given at all
    torch.manual_seed(0)
    unset = MODELS.build(cfg)
    assert plain.encoder.visual_adapter is None
    assert plain.head.text_adapter is None
    assert not adapter_params(plain)
    a, b = plain.state_dict(), unset.state_dict()
    assert list(a) == list(b)
    assert all(torch.equal(a[k], b[k]) for k in a)
    both = build(clip_dir, tmp_path, ADAPTER, ADAPTER)
    assert adapter_params(both) == {
        'encoder.visual_adapter.fc.0.weight',
        'encoder.visual_adapter.fc.2.weight', 'head.text_adapter.fc.0.weight',
        'head.text_adapter.fc.2.weight'
    }
    # in_dims come from the model: CLIP region features, text embeddings
    assert both.encoder.visual_adapter.in_dims == DIMS['in_dims']
    assert both.head.text_adapter.in_dims == \
        both.head.prompt_learner.embed_dims


def test_adapters_at_ratio_zero_change_nothing(clip_dir, tmp_path):
    plain = build(clip_dir, tmp_path).eval()
    identity = dict(ADAPTER, ratio=0.)
    adapted = build(clip_dir, tmp_path, identity, identity)
    missing = adapted.load_state_dict(plain.state_dict(), strict=False)
    assert set(missing.missing_keys) == adapter_params(adapted)
    adapted.eval()
    data = batch()
    with torch.no_grad():
        expected = run(plain, data, 'predict')
        got = run(adapted, data, 'predict')
    for a, b in zip(expected, got):
        for key, value in a.pred_pair_scores.items():
            assert torch.allclose(value, b.pred_pair_scores[key], atol=1e-6)
    # with the default ratio the adapters do change the scores
    adapted.encoder.visual_adapter.ratio = 0.2
    adapted.head.text_adapter.ratio = 0.2
    adapted.train().eval()  # drop the cached classifiers
    with torch.no_grad():
        changed = run(adapted, data, 'predict')
    assert not torch.allclose(expected[0].pred_pair_scores['relation'],
                              changed[0].pred_pair_scores['relation'])


def test_visual_adapter_trains_in_stage_1_only(clip_dir, tmp_path):
    stage1 = build(clip_dir, tmp_path, ADAPTER, frozen_modules=STAGE1_FROZEN)
    stage1.head.learn_prompts = False
    losses = run(stage1.train(), batch(), 'loss')
    sum(losses.values()).backward()
    for param in stage1.encoder.visual_adapter.parameters():
        assert param.requires_grad and param.grad.abs().sum() > 0
    stage2 = build(clip_dir, tmp_path, ADAPTER, frozen_modules=STAGE2_FROZEN)
    stage2.train()
    assert not stage2.encoder.visual_adapter.training
    losses = run(stage2, batch(), 'loss')
    sum(losses.values()).backward()
    for param in stage2.encoder.visual_adapter.parameters():
        assert not param.requires_grad and param.grad is None
    trainable = {n for n, p in stage2.named_parameters() if p.requires_grad}
    assert trainable and all(
        n.startswith('head.prompt_learner.') for n in trainable)


def test_text_adapter_trains_with_the_prompts(clip_dir, tmp_path):
    model = build(
        clip_dir, tmp_path, text=ADAPTER,
        frozen_modules=STAGE2_FROZEN).train()
    plain = build(clip_dir, tmp_path, frozen_modules=STAGE2_FROZEN).train()
    losses = run(model, batch(), 'loss')
    sum(losses.values()).backward()
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert {n
            for n in trainable if 'adapter' in n} == {
                'head.text_adapter.fc.0.weight',
                'head.text_adapter.fc.2.weight'
            }
    assert all(
        n.startswith(('head.prompt_learner.', 'head.text_adapter.'))
        for n in trainable)
    for name in trainable:
        assert model.get_parameter(name).grad.abs().sum() > 0, name
    # Eq. 15 compares the prompt learner's F'_L (before the adapter) with
    # W_clip: the same prompts give the same consistency loss
    reference = run(plain, batch(), 'loss')
    assert torch.allclose(losses['loss_kg'], reference['loss_kg'])
    assert not torch.allclose(losses['loss_rel'], reference['loss_rel'])


def test_text_adapter_adapts_the_frozen_classifiers_too(clip_dir, tmp_path):
    model = build(
        clip_dir, tmp_path, text=ADAPTER, frozen_modules=STAGE1_FROZEN)
    model.head.learn_prompts = False  # "w/o CE": W_clip as classifiers
    index = model.head.train_predicate_index
    reference = model.head.prompt_learner.reference_embeddings[index]
    classifiers = model.head.adapt_classifiers(
        model.head.class_embeddings(index, None))
    assert torch.allclose(classifiers, model.head.text_adapter(reference))
