"""ClassTextEmbeddings: texts, online/cached modes, cache keys, errors."""
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
import yaml
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmaction.registry import MODELS
from mmaction_ext.models.text_encoders import ClassTextEmbeddings
from mmaction_ext.text import (TextBank, TextBankError, build_text_priors,
                               relation_graph)
from mmaction_ext.text.text_bank import resolve_bank_path

init_default_scope('mmaction')
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TRGNET_SYNTH = osp.join(ROOT, 'configs', 'trgnet',
                        'trgnet_1xb4-12e_synthetic-ntu25-3d.py')
BACKGROUND = 'no action: the person stands at rest'
WORDS = ('the person raises lifts arm hand head leg foot left right a of and '
         'to with walks waves sits stands rest no action joint').split()


def save_tiny_bert(path, seed=0):
    """A random 2-layer BERT with a small vocabulary, saved as users do."""
    from transformers import BertConfig, BertModel, BertTokenizerFast
    os.makedirs(path, exist_ok=True)
    vocab = osp.join(path, 'vocab.txt')
    with open(vocab, 'w') as f:
        f.write('\n'.join(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] +
                          list(WORDS)))
    BertTokenizerFast(vocab_file=vocab).save_pretrained(path)
    torch.manual_seed(seed)
    BertModel(
        BertConfig(
            vocab_size=5 + len(WORDS),
            hidden_size=8,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=16)).save_pretrained(path)
    return str(path)


@pytest.fixture(scope='module')
def bert(tmp_path_factory):
    return save_tiny_bert(tmp_path_factory.mktemp('tiny_bert'))


def encoder_cfg(path, **kwargs):
    return dict(type='HFTextEncoder', model_path=path, **kwargs)


def embeddings(bert, **kwargs):
    cfg = dict(
        type='ClassTextEmbeddings',
        text_bank='synthetic12',
        text_encoder=encoder_cfg(bert))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_texts_follow_field_template_and_extra_texts(bert):
    bank = TextBank('synthetic12')
    paragraphs = embeddings(
        bert, field='paragraph', extra_texts=[BACKGROUND], cache_dir=None)
    assert paragraphs.texts == [BACKGROUND] + [
        bank.paragraph(i) for i in range(len(bank))
    ]
    labels = embeddings(bert, template='a person doing {label}')
    assert labels.texts == [f'a person doing {name}' for name in bank.labels]
    parts = embeddings(bert, field='parts.hand')
    assert parts.texts == [bank.part(i, 'hand') for i in range(len(bank))]
    joints = embeddings(
        bert, text_bank='joints_ntu25', field='description', cache_dir=None)
    assert len(joints) == 25


def test_online_mode_is_finetuned_and_encodes_any_text(bert):
    module = embeddings(bert, field='paragraph')
    assert module.online and isinstance(module.text_encoder, torch.nn.Module)
    vectors = module()
    assert vectors.shape == (12, 8)
    module.encode(['the person waves', 'a hand'])[:, 0].sum().backward()
    grad = module.text_encoder.model.embeddings.word_embeddings.weight.grad
    assert grad is not None and grad.abs().sum() > 0
    frozen = embeddings(bert, text_encoder=encoder_cfg(bert, frozen=True))
    assert not frozen().requires_grad


def test_cache_is_built_once_then_read_without_the_encoder(
        bert, tmp_path, monkeypatch):
    cache = str(tmp_path / 'cache')
    first = embeddings(bert, field='paragraph', cache_dir=cache)
    assert first.online is False and not list(first.parameters())
    built = first()
    assert osp.isfile(first.cache_path)
    assert os.listdir(cache) == [osp.basename(first.cache_path)]
    online = embeddings(
        bert, field='paragraph', text_encoder=encoder_cfg(bert, frozen=True))
    assert torch.equal(built, online())

    def no_encoder(*args, **kwargs):
        raise AssertionError('the encoder was built for a cache hit')

    monkeypatch.setattr(
        'mmaction_ext.models.text_encoders.hf_text_encoder.HFTextEncoder.'
        '__init__', no_encoder)
    again = embeddings(bert, field='paragraph', cache_dir=cache)
    assert again.cache_path == first.cache_path
    assert torch.equal(again(), built)


def write_bank(tmp_path, version, paragraph_suffix=''):
    with open(resolve_bank_path('synthetic12')) as f:
        data = yaml.safe_load(f)
    data['version'] = version
    for cls in data['classes']:
        cls['paragraph'] = cls['paragraph'] + paragraph_suffix
    path = tmp_path / f'bank_v{version}{paragraph_suffix.strip()}.yaml'
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_cache_key_changes_with_bank_version_encoder_and_texts(
        bert, tmp_path):
    cache = str(tmp_path / 'cache')
    v1 = write_bank(tmp_path, 1)
    base = embeddings(bert, text_bank=v1, field='paragraph', cache_dir=cache)
    variants = [
        embeddings(
            bert,
            text_bank=write_bank(tmp_path, 2),
            field='paragraph',
            cache_dir=cache),
        embeddings(
            bert,
            text_bank=v1,
            field='paragraph',
            cache_dir=cache,
            text_encoder=encoder_cfg(bert, pooling='cls')),
        embeddings(
            bert,
            text_bank=v1,
            template='{label}, {paragraph}',
            cache_dir=cache),
        embeddings(
            bert,
            text_bank=v1,
            field='paragraph',
            extra_texts=[BACKGROUND],
            cache_dir=cache),
    ]
    paths = {base.cache_path} | {v.cache_path for v in variants}
    assert len(paths) == 5
    for variant in variants:
        variant()
    assert not torch.equal(base()[0], variants[1]()[0])  # cls vs mean
    assert sorted(os.listdir(cache)) == sorted(osp.basename(p) for p in paths)


def test_edited_texts_or_weights_are_never_served_stale(bert, tmp_path):
    cache = str(tmp_path / 'cache')
    model = save_tiny_bert(tmp_path / 'bert', seed=0)
    bank = write_bank(tmp_path, 1)
    old = embeddings(
        bert,
        text_bank=bank,
        field='paragraph',
        cache_dir=cache,
        text_encoder=encoder_cfg(model))()
    # texts edited without bumping the version: same file, rebuilt
    edited = write_bank(tmp_path, 1, ' to the left')
    os.replace(edited, bank)
    module = embeddings(
        bert,
        text_bank=bank,
        field='paragraph',
        cache_dir=cache,
        text_encoder=encoder_cfg(model))
    assert not torch.equal(module(), old)
    fresh = embeddings(
        bert,
        text_bank=bank,
        field='paragraph',
        text_encoder=encoder_cfg(model, frozen=True))()
    assert torch.equal(module(), fresh)
    # other weights saved in the same folder: a new key, re-encoded
    save_tiny_bert(model, seed=1)
    retrained = embeddings(
        bert,
        text_bank=bank,
        field='paragraph',
        cache_dir=cache,
        text_encoder=encoder_cfg(model))
    assert retrained.cache_path != module.cache_path
    assert not torch.equal(retrained(), fresh)


def test_a_foreign_file_under_the_cache_name_is_rebuilt(bert, tmp_path):
    cache = str(tmp_path / 'cache')
    labels = embeddings(bert, cache_dir=cache)
    paragraphs = embeddings(bert, field='paragraph', cache_dir=cache)
    paragraphs()
    os.makedirs(cache, exist_ok=True)
    with open(paragraphs.cache_path, 'rb') as src, \
            open(labels.cache_path, 'wb') as dst:
        dst.write(src.read())
    expected = embeddings(bert, text_encoder=encoder_cfg(bert, frozen=True))
    assert torch.equal(labels(), expected())
    with np.load(labels.cache_path) as data:
        assert list(data['texts']) == labels.texts


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(
        bert, tmp_path, monkeypatch):
    cache = str(tmp_path / 'cache')
    module = embeddings(bert, cache_dir=cache)
    module()
    before = open(module.cache_path, 'rb').read()

    def broken(file, **arrays):
        file.write(b'half')
        raise OSError('disk full')

    monkeypatch.setattr('numpy.savez', broken)
    with pytest.raises(OSError, match='disk full'):
        module.build_cache(force=True)
    assert open(module.cache_path, 'rb').read() == before
    assert os.listdir(cache) == [osp.basename(module.cache_path)]


def test_building_the_cache_leaves_the_rng_untouched(bert, tmp_path):
    torch.manual_seed(0)
    embeddings(bert, cache_dir=str(tmp_path / 'c'))()
    after_build = torch.rand(3)
    torch.manual_seed(0)
    embeddings(bert, cache_dir=str(tmp_path / 'c'))()
    after_hit = torch.rand(3)
    assert torch.equal(after_build, after_hit)


@pytest.mark.parametrize('missing,message', [
    (('config.json', ), r'missing config \(config.json\)'),
    (('model.safetensors', ), 'missing weights'),
    (('vocab.txt', 'tokenizer.json'), 'missing tokenizer'),
])
def test_incomplete_encoder_folder_names_the_missing_files(
        bert, tmp_path, missing, message):
    import shutil
    folder = str(tmp_path / 'partial')
    shutil.copytree(bert, folder)
    for name in missing:
        os.remove(osp.join(folder, name))
    with pytest.raises(FileNotFoundError, match=message):
        embeddings(bert, text_encoder=encoder_cfg(folder))
    with pytest.raises(FileNotFoundError, match=message):
        embeddings(
            bert,
            text_encoder=encoder_cfg(folder),
            cache_dir=str(tmp_path / 'c'))()


def test_bank_and_model_sizes_must_agree(bert):
    with pytest.raises(TextBankError, match=r'synthetic12.yaml: the model '
                       'has 10 classes but the bank describes 12'):
        embeddings(bert, num_classes=10)
    with pytest.raises(TextBankError, match='the model has 14 classes but '
                       r'the bank describes only 12 \(the model has 15'):
        embeddings(bert, num_classes=15, extra_texts=[BACKGROUND])
    # a label set listed as a prefix of the bank (NTU RGB+D 60 of ntu120)
    assert len(TextBank('ntu120', num_classes=60)) == 60
    with pytest.raises(TextBankError, match='label_subsets'):
        TextBank('ntu120', num_classes=59)


def trgnet_cfg(bert, cache_dir):
    cfg = Config.fromfile(TRGNET_SYNTH)
    cfg.model.backbone.update(channels=8, num_layers=2, num_scales=3)
    cfg.model.head.update(channels=8, num_layers=2)
    for key in ('joint_texts', 'action_texts'):
        cfg.model[key].text_encoder.model_path = bert
        cfg.model[key].cache_dir = cache_dir
    return cfg


def test_trgnet_priors_from_the_config_equal_the_priors_file(bert, tmp_path):
    cfg = trgnet_cfg(bert, str(tmp_path / 'cache'))
    model = MODELS.build(cfg.model)
    encoder = MODELS.build(encoder_cfg(bert, frozen=True))
    priors = build_text_priors(
        TextBank('joints_ntu25'), TextBank('synthetic12'), encoder,
        cfg.model.action_texts.extra_texts[0])
    assert torch.equal(model.backbone.tjg, torch.as_tensor(priors['tjg']))
    assert torch.equal(model.tag, torch.as_tensor(priors['tag']))
    assert torch.equal(model.action_embeddings,
                       torch.as_tensor(priors['action_embeddings']))
    assert model.head.num_classes == 13
    joints = torch.as_tensor(priors['joint_embeddings'])
    assert torch.equal(
        torch.as_tensor(priors['tjg']), relation_graph(joints))


def test_trgnet_texts_for_another_label_set_are_refused(bert, tmp_path):
    cfg = trgnet_cfg(bert, str(tmp_path / 'cache'))
    cfg.model.head.num_classes = 12  # the dataset's count, no background
    with pytest.raises(ValueError, match=r'synthetic12.yaml: the model has '
                       r'11 classes but the bank describes 12.*\(the model '
                       'has 12 classes, 1 of them from extra_texts'):
        MODELS.build(cfg.model)
    cfg = trgnet_cfg(bert, str(tmp_path / 'cache'))
    cfg.model.action_texts = None
    with pytest.raises(ValueError, match='both joint_texts and action_texts'):
        MODELS.build(cfg.model)


def test_a_priors_file_given_is_used_instead_of_the_texts(bert, tmp_path):
    from mmaction_ext.text import save_text_priors
    path = str(tmp_path / 'priors.npz')
    save_text_priors(
        dict(
            tjg=relation_graph(torch.randn(25, 8)).numpy(),
            tag=relation_graph(torch.randn(13, 8)).numpy(),
            action_embeddings=torch.randn(13, 8).numpy()), path)
    cfg = trgnet_cfg(bert, str(tmp_path / 'cache'))
    cfg.model.text_priors = path
    model = MODELS.build(cfg.model)
    assert torch.equal(model.tag, torch.as_tensor(np.load(path)['tag']))
    assert not osp.exists(str(tmp_path / 'cache'))


def test_cli_builds_the_caches_a_config_declares(bert, tmp_path):
    cache = str(tmp_path / 'cache')
    command = [
        sys.executable, 'tools/trgnet/build_text_priors.py', TRGNET_SYNTH,
        '--cfg-options', f'model.joint_texts.cache_dir={cache}',
        f'model.action_texts.cache_dir={cache}',
        f'model.joint_texts.text_encoder.model_path={bert}',
        f'model.action_texts.text_encoder.model_path={bert}'
    ]
    env = dict(os.environ, PYTHONPATH=ROOT)
    output = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True).stdout
    assert '(25, 8)' in output and '(13, 8)' in output
    assert len(os.listdir(cache)) == 2
    cfg = trgnet_cfg(bert, cache)
    for key in ('joint_texts', 'action_texts'):
        module = MODELS.build(cfg.model[key])
        assert osp.isfile(module.cache_path)
    stamps = {p: os.stat(osp.join(cache, p)).st_mtime_ns
              for p in os.listdir(cache)}
    subprocess.run(command, cwd=ROOT, env=env, check=True,
                   capture_output=True)
    assert stamps == {
        p: os.stat(osp.join(cache, p)).st_mtime_ns
        for p in os.listdir(cache)
    }


def test_class_text_embeddings_is_exported():
    assert MODELS.get('ClassTextEmbeddings') is ClassTextEmbeddings


class FakeDataset:

    def __init__(self, classes=None, num_classes=None, ann_file='ann.pkl'):
        self.metainfo = {} if classes is None else dict(classes=classes)
        self.num_classes = num_classes
        self.ann_file = ann_file


def test_data_of_another_label_set_is_refused_by_the_hook(bert, tmp_path):
    from types import SimpleNamespace

    from mmaction_ext.engine.hooks import TextClassesCheckHook
    model = MODELS.build(trgnet_cfg(bert, str(tmp_path / 'cache')).model)
    labels = TextBank('synthetic12').labels
    right = FakeDataset(['background'] + labels, 13)
    runner = SimpleNamespace(
        model=model,
        train_dataloader=SimpleNamespace(dataset=right),
        test_dataloader=SimpleNamespace(dataset=FakeDataset(num_classes=12)),
        val_dataloader=SimpleNamespace(
            dataset=FakeDataset(['background'] + labels[::-1])))
    hook = TextClassesCheckHook()
    hook.before_train(runner)
    with pytest.raises(ValueError, match=r'synthetic12.yaml describe 13 '
                       "classes, the test dataset 'ann.pkl' has 12"):
        hook.before_test(runner)
    with pytest.raises(ValueError, match="other classes than the val "
                       r"dataset .*1: 'wave right hand' vs 'march in place'"):
        hook.before_val(runner)


def test_relation_graph_is_one_minus_minmax_distance():
    from mmaction_ext.utils import relation_graph as shared
    x = torch.randn(5, 3)
    d = ((x[:, None].double() - x[None].double())**2).sum(-1).sqrt()
    expected = 1 - (d - d.min()) / (d.max() - d.min())
    assert shared is relation_graph
    assert torch.allclose(relation_graph(x).double(), expected, atol=1e-6)
    assert relation_graph(x).dtype == torch.float32
    kept = relation_graph(x.double(), compute_dtype=None)
    assert kept.dtype == torch.float64 and torch.allclose(kept, expected)
