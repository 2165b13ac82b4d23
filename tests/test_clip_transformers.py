"""CLIP on transformers: equal to the former hand-written CLIP, offline.

Random-weight towers of the independent references in clip_reference.py
are saved in OpenAI's and open_clip's layouts and loaded through the
encoders; outputs must agree to 1e-5 and token ids token for token.
"""
import glob
import os.path as osp

import pytest
import torch
import yaml
from clip_reference import (CLIPTextTransformer, VisionTransformer,
                            build_reference_tokenizer, randomize_layer_norms,
                            reference_token_ids)
from transformers import CLIPConfig, CLIPModel

from mmaction_ext.models.text_encoders import (CLIPTextEncoder,
                                               CLIPVisionEncoder)
from mmaction_ext.text import build_clip_tokenizer, find_clip_bpe_file

BANKS = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'mmaction_ext', 'text',
    'banks')
TEXTS = [
    'wave', 'put on a shoe, head tilts slightly forward',
    'Hello World!! It\'s café &amp; naïve', 'grab other person’s stuff',
    'word ' * 100
]


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


@pytest.fixture(scope='module')
def bank_texts():
    texts = []
    for path in sorted(glob.glob(osp.join(BANKS, '*.yaml'))):
        with open(path, encoding='utf-8') as f:
            texts += list(strings(yaml.safe_load(f)['classes']))
    assert len(texts) > 1000
    return list(dict.fromkeys(texts))


def reference_text_tower(act='quick_gelu', seed=0):
    torch.manual_seed(seed)
    tower = CLIPTextTransformer(
        vocab_size=49408,
        context_length=77,
        width=128,
        heads=2,
        layers=2,
        embed_dims=32,
        act=act).eval()
    randomize_layer_norms(tower, seed)
    return tower


def reference_vision_tower(act='quick_gelu', seed=0):
    torch.manual_seed(seed)
    tower = VisionTransformer(
        image_size=32,
        patch_size=8,
        width=128,
        heads=2,
        layers=2,
        embed_dims=32,
        act=act).eval()
    randomize_layer_norms(tower, seed + 1)
    return tower


def openai_clip_state(act='quick_gelu'):
    """A whole CLIP model's state dict in OpenAI's layout."""
    state = dict(reference_text_tower(act).state_dict())
    for key, value in reference_vision_tower(act).state_dict().items():
        state[f'visual.{key}'] = value
    state['logit_scale'] = torch.tensor(4.6)
    return state


@pytest.fixture(scope='module')
def tiny_encoder(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('clip') / 'ViT-tiny.pt')
    torch.save(openai_clip_state(), path)
    return CLIPTextEncoder(pretrained=path)


def test_token_ids_equal_former_tokenizer_on_all_banks(bank_texts,
                                                       tiny_encoder, tmp_path):
    reference = build_reference_tokenizer(find_clip_bpe_file(), tmp_path)
    texts = bank_texts + TEXTS
    for start in range(0, len(texts), 256):
        batch = texts[start:start + 256]
        tokens, lengths = tiny_encoder.tokenize(batch)
        for row, text in enumerate(batch):
            ours = tokens[row, :lengths[row]].tolist()
            assert ours == reference_token_ids(reference, text), text
            assert tokens[row, lengths[row]:].eq(0).all()


def check_equal_to_reference(encoder, reference, texts=TEXTS):
    tokens, lengths = encoder.tokenize(texts)
    with torch.no_grad():
        expected = reference(tokens, lengths)
        assert torch.allclose(encoder(texts), expected, atol=1e-5)


@pytest.mark.parametrize('act', ['quick_gelu', 'gelu'])
@pytest.mark.filterwarnings('ignore::torch.jit.TracerWarning')
@pytest.mark.filterwarnings('ignore::DeprecationWarning')
def test_openai_state_dict_and_torchscript_load_equal(tmp_path, act):
    reference = reference_text_tower(act)
    plain = str(tmp_path / 'ViT-tiny.pt')
    torch.save(openai_clip_state(act), plain)
    check_equal_to_reference(
        CLIPTextEncoder(pretrained=plain, act=act), reference)
    tokens, lengths = torch.randint(0, 49406, (2, 6)), torch.tensor([6, 4])
    archive = str(tmp_path / 'ViT-tiny-jit.pt')
    torch.jit.trace(reference, (tokens, lengths)).save(archive)
    check_equal_to_reference(
        CLIPTextEncoder(pretrained=archive, act=act), reference)


@pytest.mark.parametrize('act', ['quick_gelu', 'gelu'])
def test_open_clip_checkpoint_and_safetensors_load_equal(tmp_path, act):
    from safetensors.torch import save_file
    reference = reference_text_tower(act)
    state = openai_clip_state(act)
    checkpoint = str(tmp_path / 'epoch_32.pt')
    torch.save(
        dict(
            epoch=32, state_dict={
                f'module.{k}': v
                for k, v in state.items()
            }), checkpoint)
    check_equal_to_reference(
        CLIPTextEncoder(pretrained=checkpoint, act=act), reference)
    safetensors = str(tmp_path / 'open_clip_model.safetensors')
    save_file({k: v.contiguous() for k, v in state.items()}, safetensors)
    check_equal_to_reference(
        CLIPTextEncoder(pretrained=safetensors, act=act), reference)


def test_transformers_directory_loads_tower_and_tokenizer(
        tmp_path, tiny_encoder):
    folder = str(tmp_path / 'clip-tiny')
    tiny_encoder.model.save_pretrained(folder)
    tiny_encoder.tokenizer.save_pretrained(folder)
    loaded = CLIPTextEncoder(pretrained=folder)
    assert loaded.tokenizer.get_vocab() == tiny_encoder.tokenizer.get_vocab()
    check_equal_to_reference(loaded, reference_text_tower())
    assert loaded.embed_dims == 32


def test_clip_model_directory_gives_both_towers(tmp_path, tiny_encoder):
    text = tiny_encoder.model.config.to_dict()
    vision = dict(
        hidden_size=64,
        intermediate_size=128,
        num_attention_heads=2,
        num_hidden_layers=1,
        image_size=32,
        patch_size=8)
    model = CLIPModel(
        CLIPConfig(text_config=text, vision_config=vision, projection_dim=32))
    folder = str(tmp_path / 'clip-model')
    model.save_pretrained(folder)
    tiny_encoder.tokenizer.save_pretrained(folder)
    texts, images = ['clap hands', 'kick'], torch.randn(2, 3, 32, 32)
    tokens, _ = CLIPTextEncoder(pretrained=folder).tokenize(texts)
    with torch.no_grad():
        assert torch.allclose(
            CLIPTextEncoder(pretrained=folder)(texts),
            model.get_text_features(input_ids=tokens),
            atol=1e-6)
        assert torch.allclose(
            CLIPVisionEncoder(pretrained=folder)(images),
            model.get_image_features(pixel_values=images),
            atol=1e-6)


def test_trimmed_padding_equals_full_context(tiny_encoder):
    with torch.no_grad():
        trimmed = tiny_encoder(TEXTS[:2])
        full = tiny_encoder.encode(TEXTS[:2], pad_to=77)
    assert trimmed.shape == (2, 32)
    assert torch.allclose(trimmed, full, atol=1e-5)


def test_encode_embeddings_equals_the_text_model_forward(tiny_encoder):
    tokens, lengths = tiny_encoder.tokenize(TEXTS)
    with torch.no_grad():
        ours = tiny_encoder.encode_embeddings(
            tiny_encoder.token_embedding(tokens), lengths - 1)
        theirs = tiny_encoder.model(input_ids=tokens).text_embeds
    assert torch.equal(ours, theirs)


def test_learnable_context_vectors_get_gradients_frozen_tower_not(tmp_path):
    path = str(tmp_path / 'ViT-tiny.pt')
    torch.save(openai_clip_state(), path)
    encoder = CLIPTextEncoder(pretrained=path, frozen=True)
    tokens, lengths = encoder.tokenize(['X X X X jump', 'X X X X sit down'])
    context = torch.nn.Parameter(torch.randn(4, 128) * 0.02)
    embeds = encoder.token_embedding(tokens)
    # CoOp: the context replaces the placeholder tokens after the start.
    embeds = torch.cat(
        [embeds[:, :1],
         context.expand(2, -1, -1), embeds[:, 5:]], dim=1)
    out = encoder.encode_embeddings(embeds, lengths - 1)
    assert out.shape == (2, 32)
    out.sum().backward()
    assert context.grad is not None and context.grad.abs().sum() > 0
    assert all(p.grad is None for p in encoder.parameters())
    changed = encoder.encode_embeddings(
        torch.cat([
            encoder.token_embedding(tokens)[:, :1],
            (context + 1).expand(2, -1, -1),
            encoder.token_embedding(tokens)[:, 5:]
        ],
                  dim=1), lengths - 1)
    assert not torch.allclose(out, changed)


def test_deep_prompts_equal_a_plain_per_layer_replacement(tiny_encoder):
    reference = reference_text_tower()
    tokens, lengths = tiny_encoder.tokenize(['X X X jump', 'X X X sit down'])
    torch.manual_seed(1)
    shallow = torch.randn(3, 128)
    deep = [torch.randn(2, 3, 128)]  # per sample, before the second layer
    with torch.no_grad():
        x = reference.token_embedding(tokens)
        x[:, 1:4] = shallow
        x = x + reference.positional_embedding[:x.size(1)]
        mask = torch.full((x.size(1), x.size(1)), float('-inf')).triu_(1)
        for index, block in enumerate(reference.transformer.resblocks):
            if index == 1:
                x[:, 1:4] = deep[0]
            x = block(x, mask)
        x = reference.ln_final(x)
        expected = x[torch.arange(2), lengths - 1] @ reference.text_projection
        embeds = tiny_encoder.token_embedding(tokens)
        embeds[:, 1:4] = shallow
        ours = tiny_encoder.encode_embeddings(
            embeds, lengths - 1, deep_prompts=deep)
    assert torch.allclose(ours, expected, atol=1e-5)
    with pytest.raises(ValueError, match='deep prompts'):
        tiny_encoder.encode_embeddings(embeds, lengths - 1, deep * 2)


@pytest.mark.parametrize('act', ['quick_gelu', 'gelu'])
def test_vision_encoder_equals_openai_image_tower(tmp_path, act):
    path = str(tmp_path / 'ViT-tiny.pt')
    torch.save(openai_clip_state(act), path)
    reference = reference_vision_tower(act)
    images = torch.randn(2, 3, 32, 32)
    encoder = CLIPVisionEncoder(path, act=act, patch_grid='projected')
    with torch.no_grad():
        pooled, grid = encoder(images)
        expected_pooled, expected_grid = reference(images)
    assert pooled.shape == (2, 32) and grid.shape == (2, 32, 4, 4)
    assert torch.allclose(pooled, expected_pooled, atol=1e-5)
    assert torch.allclose(grid, expected_grid, atol=1e-5)
    assert encoder.embed_dims == 32 and encoder.patch_size == 8


def test_vision_hidden_grid_and_other_image_sizes(tmp_path):
    path = str(tmp_path / 'ViT-tiny.pt')
    torch.save(openai_clip_state(), path)
    encoder = CLIPVisionEncoder(path, patch_grid='hidden', frozen=True)
    pooled, grid = encoder(torch.randn(1, 3, 48, 64))
    assert pooled.shape == (1, 32) and grid.shape == (1, 128, 6, 8)
    assert not pooled.requires_grad
    encoder.train()
    assert not encoder.model.training
    with pytest.raises(ValueError, match='patch_grid'):
        CLIPVisionEncoder(path, patch_grid='cls')


def test_unsupported_weights_fail_clearly(tmp_path):
    state = openai_clip_state()
    state['transformer.resblocks.0.ls_1.gamma'] = torch.ones(128)
    path = str(tmp_path / 'layer_scale.pt')
    torch.save(state, path)
    with pytest.raises(KeyError, match='ls_1.gamma'):
        CLIPTextEncoder(pretrained=path)
    resnet = {'visual.layer1.0.conv1.weight': torch.zeros(1)}
    torch.save(resnet, str(tmp_path / 'RN50.pt'))
    with pytest.raises(KeyError, match='ResNet'):
        CLIPVisionEncoder(str(tmp_path / 'RN50.pt'))
    hf = {'text_model.final_layer_norm.weight': torch.ones(2)}
    torch.save(hf, str(tmp_path / 'pytorch_model.bin'))
    with pytest.raises(ValueError, match='config.json'):
        CLIPTextEncoder(pretrained=str(tmp_path / 'pytorch_model.bin'))


def test_missing_paths_are_named(tmp_path, monkeypatch):
    missing = str(tmp_path / 'nowhere')
    for build in (CLIPTextEncoder, CLIPVisionEncoder):
        with pytest.raises(FileNotFoundError, match='nowhere.*never'):
            build(pretrained=missing)
    with pytest.raises(FileNotFoundError, match='nowhere'):
        build_clip_tokenizer(missing)
    with pytest.raises(FileNotFoundError, match='config.json'):
        CLIPTextEncoder(pretrained=str(tmp_path))
    import importlib.util
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name: None)
    with pytest.raises(FileNotFoundError, match='tokenizer_path'):
        find_clip_bpe_file()
