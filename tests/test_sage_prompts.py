"""SAGE's class-aware prompting on a tiny random CLIP text tower."""
import pytest
import torch
from sage_helpers import save_tiny_clip
from transformers import CLIPTextModelWithProjection
from transformers.modeling_attn_mask_utils import \
    _create_4d_causal_attention_mask

from mmaction_ext.models.text_encoders import (ClassAwarePromptLearner,
                                               CLIPTextEncoder,
                                               ImageConditionedPromptLearner)

NAMES = ['stand_next_to', 'ride', 'play with', 'watch']


@pytest.fixture(scope='module')
def clip_dir(tmp_path_factory):
    return save_tiny_clip(tmp_path_factory.mktemp('tiny_clip'))


def learner(clip_dir, cls=ClassAwarePromptLearner, **kwargs):
    torch.manual_seed(0)
    return cls(
        text_encoder=dict(type='CLIPTextEncoder', pretrained=clip_dir),
        classes=NAMES,
        **kwargs)


def plain_clip(clip_dir, encoder, texts):
    """transformers' own forward of the saved tower."""
    model = CLIPTextModelWithProjection.from_pretrained(clip_dir).eval()
    tokens, _ = encoder.tokenize(texts)
    with torch.no_grad():
        return model(input_ids=tokens).text_embeds


def test_zero_length_insertion_equals_plain_clip(clip_dir):
    encoder = CLIPTextEncoder(pretrained=clip_dir, frozen=True)
    texts = ['a person rides a horse', 'dog']
    tokens, lengths = encoder.tokenize(texts)
    empty = torch.zeros(0, encoder.token_embedding.embedding_dim)
    with torch.no_grad():
        ours = encoder.encode_embeddings(
            encoder.token_embedding(tokens),
            lengths - 1,
            inserted_prompts=empty,
            insert_layer=2)
    assert torch.allclose(
        ours, plain_clip(clip_dir, encoder, texts), atol=1e-5)


def test_insertion_equals_a_plain_layer_loop(clip_dir):
    encoder = CLIPTextEncoder(pretrained=clip_dir, frozen=True)
    tokens, lengths = encoder.tokenize(['a cat', 'a person rides a horse'])
    prompts = torch.randn(2, 3, encoder.token_embedding.embedding_dim)
    text = encoder.model.text_model
    with torch.no_grad():
        ours = encoder.encode_embeddings(
            encoder.token_embedding(tokens),
            lengths - 1,
            inserted_prompts=prompts,
            insert_layer=2)
        hidden = text.embeddings(input_ids=tokens)
        for index, layer in enumerate(text.encoder.layers):
            if index == 2:
                hidden = torch.cat([hidden[:, :1], prompts, hidden[:, 1:]], 1)
            mask = _create_4d_causal_attention_mask(hidden.shape[:2],
                                                    hidden.dtype, 'cpu')
            hidden = layer(hidden, None, mask)[0]
        hidden = text.final_layer_norm(hidden)
        expected = encoder.model.text_projection(hidden[[0, 1],
                                                        lengths - 1 + 3])
    assert torch.allclose(ours, expected, atol=1e-5)
    with pytest.raises(ValueError, match='insert_layer'):
        encoder.encode_embeddings(
            encoder.token_embedding(tokens),
            lengths - 1,
            inserted_prompts=prompts,
            insert_layer=4)


def test_zero_length_prompts_equal_plain_clip_of_the_names(clip_dir):
    model = learner(clip_dir, num_context=0, context_init=None, num_prompts=0)
    with torch.no_grad():
        ours = model()
    expected = plain_clip(clip_dir, model.text_encoder,
                          [n.replace('_', ' ') for n in NAMES])
    assert torch.allclose(ours, expected, atol=1e-5)
    assert torch.allclose(model.reference_embeddings, expected, atol=1e-5)


def test_class_name_sits_after_75_percent_of_the_context(clip_dir):
    words = 'one two three four five six seven eight'
    model = learner(
        clip_dir, context_init=words, learnable_context=False, num_prompts=0)
    with torch.no_grad():
        ours = model(torch.tensor([2, 0]))
    texts = [
        f'one two three four five six {name} seven eight'
        for name in ('play with', 'stand next to')
    ]
    assert torch.allclose(
        ours, plain_clip(clip_dir, model.text_encoder, texts), atol=1e-5)


def test_domain_init_and_gradients_reach_context_and_tke_only(clip_dir):
    model = learner(clip_dir, num_prompts=3, tke_hidden=5, insert_layer=2)
    phrase, _ = model.text_encoder.tokenize(['Two entities in video sequence'])
    first = model.text_encoder.token_embedding(phrase[0, 1:6])
    assert torch.equal(model.context[:5].detach(), first.detach())
    assert model.tke[0].out_features == 5
    out = model()
    assert out.shape == (len(NAMES), 16)
    out.pow(2).sum().backward()
    assert model.context.grad.abs().sum() > 0
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.tke.parameters())
    assert all(p.grad is None for p in model.text_encoder.parameters())
    # the TKE tokens change the embeddings
    model.tke[2].bias.data.add_(1.)
    assert not torch.allclose(model().detach(), out.detach())


def test_prompts_do_not_depend_on_the_video(clip_dir):
    model = learner(clip_dir, num_prompts=2, insert_layer=1)
    with torch.no_grad():
        a = model(visual=torch.randn(3, 8))
        b = model(visual=torch.randn(3, 8))
    assert torch.equal(a, b)


@pytest.mark.parametrize('style', ['cocoop', 'inserted'])
def test_image_conditioned_prompts_per_instance(clip_dir, style):
    model = learner(
        clip_dir,
        ImageConditionedPromptLearner,
        visual_dims=32,
        style=style,
        num_prompts=2,
        insert_layer=1)
    visual = torch.randn(3, 32)
    out = model(torch.tensor([1, 3]), visual)
    assert out.shape == (3, 2, 16)
    assert not torch.allclose(out[0], out[1])
    # instance 0 alone gives the same embeddings as within the batch
    alone = model(torch.tensor([1, 3]), visual[:1])
    assert torch.allclose(alone[0], out[0], atol=1e-5)
    out.sum().backward()
    generator = model.meta_net if style == 'cocoop' else model.tke
    assert all(p.grad is not None for p in generator.parameters())
    with pytest.raises(ValueError, match='visual features'):
        model(torch.tensor([1]))


def test_bad_settings_fail_clearly(clip_dir):
    with pytest.raises(ValueError, match='more than num_context'):
        learner(clip_dir, num_context=2, insert_layer=1)
    with pytest.raises(ValueError, match='insert_layer'):
        learner(clip_dir, insert_layer=4)
    with pytest.raises(ValueError, match='style'):
        learner(
            clip_dir, ImageConditionedPromptLearner, visual_dims=4, style='x')
