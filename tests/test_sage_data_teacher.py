"""SAGE's semantic teacher against the loopback fake chat server: the four
perspectives with images, resume from the file and the answer cache, the
failure report, never replacing files, and the encoded F_text read by the
data pipeline."""
import importlib.util
import json
import os
import os.path as osp
import re

import numpy as np
import pytest
import torch
from fake_chat_server import last_user_text, serve
from mmengine.registry import init_default_scope

import mmaction_ext  # noqa: F401
from mmaction_ext.datasets.synthetic_vidvrd import (make_synthetic_vidvrd,
                                                    save_tiny_clip)
from mmaction_ext.text.prompts.sage import parse_description

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
init_default_scope('mmaction')


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location(
        'describe_pairs', osp.join(ROOT, 'tools', 'sage', 'describe_pairs.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('teacher')
    make_synthetic_vidvrd(
        str(root), seed=1, num_train=1, num_test=0, num_frames=30, width=64)
    clip = save_tiny_clip(str(root / 'clip'), dims=16)
    return root, clip


def config(data, tmp_path, teacher=None, name='config.py'):
    root, _ = data
    path = tmp_path / name
    path.write_text(
        f"_base_ = ['{ROOT}/configs/sage/_base_/datasets/"
        "synthetic_vidvrd.py']\n"
        f"train_dataloader = dict(dataset=dict(ann_file='{root}/annotations"
        f"/train', data_prefix=dict(video='{root}/videos', features="
        f"'{tmp_path}/features', descriptions='{tmp_path}/desc'), "
        f"teacher={teacher!r}))\n")
    return str(path)


def kind(body):
    text = last_user_text(body)
    return 'union' if 'two objects' in text else \
        'object' if 'one object' in text else 'global'


def answer(body):
    images = [
        p for p in body['messages'][-1]['content'] if p['type'] == 'image_url'
    ]
    return f'A {kind(body)} description seen in {len(images)} images.'


def run(tool, cfg, server, *extra):
    return tool.run_tool(lambda: tool.main([
        cfg, '--base-url',
        server.url(), '--model', 'vlm', '--retries', '1', '--backoff', '0',
        *extra
    ]))


def test_describe_encode_and_load(tool, data, tmp_path, monkeypatch, capsys):
    root, clip = data
    cfg = config(data, tmp_path)
    with serve(monkeypatch) as server:
        server.reply = answer
        assert run(tool, cfg, server, '--encode', clip) == 0
        kinds = [kind(r['body']) for r in server.requests]
        first = len(server.requests)
        # per segment 1 global, 3 objects, 6 pairs; 1 video, 1 segment
        assert kinds.count('global') == 1
        assert kinds.count('object') == 3 and kinds.count('union') == 6
        for request in server.requests:
            parts = request['body']['messages'][-1]['content']
            images = [p for p in parts if p['type'] == 'image_url']
            assert len(images) == 3
            assert images[0]['image_url']['url'].startswith(
                'data:image/png;base64,')
        assert 'red box' in last_user_text(server.requests[-1]['body'])
        assert run(tool, cfg, server, '--encode', clip) == 0
        assert len(server.requests) == first  # all in the file
    out = capsys.readouterr().out
    assert '1 encoded description files written' in out
    assert '0 encoded description files written, 1 already' in out
    vid = os.listdir(tmp_path / 'desc')
    vid = [v[:-5] for v in vid if v.endswith('.json')][0]
    texts = json.load(open(tmp_path / 'desc' / f'{vid}.json'))
    segment = texts['segments']['0000-0030']
    assert segment['global'] == 'A global description seen in 3 images.'
    assert set(segment['objects']) == {'0', '1', '2'}
    assert len(segment['unions']) == 6
    # the pipeline reads F_text: (P, 4, Dt) = subject, object, union, global
    from mmaction_ext.datasets.transforms import LoadVidVRDSegmentFeatures
    from mmaction_ext.datasets.vidvrd_feature_extraction import (
        config_dataset, extract_dataset_features)
    from mmaction_ext.models.text_encoders import CLIPTextEncoder
    dataset = config_dataset(cfg, 'train')
    extract_dataset_features(dataset, clip, short_side=32, progress=False)
    info = dataset.get_data_info(0)
    out = LoadVidVRDSegmentFeatures(with_descriptions=True)(info)
    feats = out['description_feats']
    assert feats.shape == (len(info['pair_tids']), 4, 16)
    assert feats.dtype == np.float32
    encoder = CLIPTextEncoder(pretrained=clip, frozen=True)
    s, o = info['pair_tids'][0].tolist()
    expected = [
        segment['objects'][str(s)], segment['objects'][str(o)],
        segment['unions'][f'{s}-{o}'], segment['global']
    ]
    with torch.no_grad():
        np.testing.assert_allclose(
            feats[0], encoder(expected).numpy(), atol=1e-5)


def test_resume_from_the_cache_after_a_failure(tool, data, tmp_path,
                                               monkeypatch, capsys):
    cfg = config(data, tmp_path)
    with serve(monkeypatch) as server:
        server.reply = answer
        server.plan = ['ok'] * 4 + ['500'] * 2  # 5th question fails twice
        assert run(tool, cfg, server) == 1
        err = capsys.readouterr().err
        assert 'upstream overloaded' in err and 'rerun the same' in err
        desc = tmp_path / 'desc'
        vid = [v for v in os.listdir(desc) if v.endswith('.json')][0]
        kept = json.load(open(desc / vid))['segments']['0000-0030']
        assert len(kept['objects']) == 3 and not kept['unions']
        asked = len(server.requests)
        assert run(tool, cfg, server) == 0
        assert len(server.requests) == asked + 6  # only the unions
        os.remove(desc / vid)  # a lost file is rebuilt from the cache
        assert run(tool, cfg, server) == 0
        assert len(server.requests) == asked + 6
        assert 'from the cache' in capsys.readouterr().out


def test_short_answers_are_asked_again(tool, data, tmp_path, monkeypatch):
    cfg = config(data, tmp_path)
    calls = []

    def sometimes_short(body):
        calls.append(1)
        return 'Yes.' if len(calls) == 1 else answer(body)

    with serve(monkeypatch) as server:
        server.reply = sometimes_short
        assert run(tool, cfg, server, '--videos',
                   os.listdir(data[0] / 'annotations' / 'train')[0][:-5]) == 0
        assert len(server.requests) == 11
    with pytest.raises(ValueError, match='fewer than 3 words'):
        parse_description('Answer: ok')
    assert parse_description('Answer:  a dog\n runs') == 'a dog runs'


def test_files_are_never_replaced(tool, data, tmp_path, monkeypatch, capsys):
    root, clip = data
    cfg = config(data, tmp_path)
    desc = tmp_path / 'desc'
    desc.mkdir()
    vid = os.listdir(root / 'annotations' / 'train')[0][:-5]
    (desc / f'{vid}.json').write_text('{"my": "notes"}')
    with serve(monkeypatch) as server:
        server.reply = answer
        assert run(tool, cfg, server) == 1
        assert 'not a description file' in capsys.readouterr().err
        assert (desc / f'{vid}.json').read_text() == '{"my": "notes"}'
        os.remove(desc / f'{vid}.json')
        assert run(tool, cfg, server, '--encode', clip) == 0
        data_ = json.load(open(desc / f'{vid}.json'))
        data_['segments']['0000-0030']['global'] = 'An edited scene text.'
        (desc / f'{vid}.json').write_text(json.dumps(data_))
        encoded = (desc / f'{vid}.npz').read_bytes()
        assert tool.run_tool(
            lambda: tool.main([cfg, '--encode', clip, '--encode-only'])) == 1
        assert 'other texts' in capsys.readouterr().err
        assert (desc / f'{vid}.npz').read_bytes() == encoded
        assert tool.main(
            [cfg, '--encode', clip, '--encode-only', '--reencode']) == 0
        assert (desc / f'{vid}.npz').read_bytes() != encoded
        (desc / 'answers.cache.jsonl').write_text('not a cache\n')
        os.remove(desc / f'{vid}.json')
        assert run(tool, cfg, server) == 1
        assert 'not an answer cache' in capsys.readouterr().err


def ask(tool, cfg, server, model, *extra):
    return tool.run_tool(lambda: tool.main([
        cfg, '--base-url',
        server.url(), '--model', model, '--retries', '1', '--backoff', '0',
        *extra
    ]))


def video_of(data):
    return os.listdir(data[0] / 'annotations' / 'train')[0][:-5]


def test_files_record_their_teacher_and_configs_check_it(
        tool, data, tmp_path, monkeypatch, capsys):
    from mmaction_ext.datasets.transforms import LoadVidVRDSegmentFeatures
    from mmaction_ext.datasets.vidvrd_annotation import VidVRDFormatError
    from mmaction_ext.datasets.vidvrd_descriptions import \
        VideoDescriptionFeatures
    from mmaction_ext.datasets.vidvrd_feature_extraction import (
        config_dataset, extract_dataset_features)
    root, clip = data
    vid = video_of(data)
    plain = config(data, tmp_path)  # its dataset names no teacher
    with serve(monkeypatch) as server:
        server.reply = answer
        assert run(tool, plain, server, '--encode', clip) == 0
    assert "teacher 'vlm' (model 'vlm')" in capsys.readouterr().out
    desc = tmp_path / 'desc'
    texts = json.load(open(desc / f'{vid}.json'))
    assert (texts['teacher'], texts['model']) == ('vlm', 'vlm')
    npz = str(desc / f'{vid}.npz')
    encoded = VideoDescriptionFeatures(npz, vid)
    assert encoded.teacher == 'vlm'
    assert encoded.key['teacher_model'] == 'vlm'
    # a config of another teacher reading this folder refuses the files
    blip2 = config(data, tmp_path, teacher='blip2', name='blip2.py')
    assert tool.run_tool(
        lambda: tool.main([blip2, '--encode', clip, '--encode-only'])) == 1
    assert "descriptions of teacher 'vlm', but the config expects " \
        "teacher 'blip2'" in capsys.readouterr().err
    dataset = config_dataset(blip2, 'train')
    extract_dataset_features(dataset, clip, short_side=32, progress=False)
    info = dataset.get_data_info(0)
    assert info['description_teacher'] == 'blip2'
    load = LoadVidVRDSegmentFeatures(with_descriptions=True)
    with pytest.raises(
            VidVRDFormatError,
            match=re.escape(f"{npz}: video '{vid}': descriptions of teacher "
                            "'vlm', but the config expects teacher 'blip2'")):
        load(info)
    same = config_dataset(
        config(data, tmp_path, teacher='vlm', name='vlm.py'), 'train')
    feats = load(same.get_data_info(0))['description_feats']
    assert feats.shape == (len(info['pair_tids']), 4, 16)
    # files written before teachers were recorded: teacher unknown
    del texts['teacher'], texts['model']
    (desc / f'{vid}.json').write_text(json.dumps(texts))
    assert tool.main([plain, '--encode', clip, '--encode-only',
                      '--reencode']) == 0
    assert VideoDescriptionFeatures(npz, vid).teacher is None
    with pytest.raises(VidVRDFormatError, match='no teacher .written before'):
        LoadVidVRDSegmentFeatures(with_descriptions=True)(
            same.get_data_info(0))
    assert load(config_dataset(plain, 'train').get_data_info(0))


def test_one_file_never_mixes_two_teachers(tool, data, tmp_path, monkeypatch,
                                           capsys):
    cfg = config(data, tmp_path)
    path = tmp_path / 'desc' / f'{video_of(data)}.json'
    with serve(monkeypatch) as server:
        server.reply = answer
        server.plan = ['ok'] * 4 + ['500'] * 2  # stops after the objects
        assert run(tool, cfg, server) == 1
        kept = path.read_bytes()
        capsys.readouterr()
        asked = len(server.requests)
        for model, extra in (('other-vlm', ()), ('vlm', ('--teacher', 'x'))):
            assert ask(tool, cfg, server, model, *extra) == 1
            err = capsys.readouterr().err
            assert "described by teacher 'vlm' (model 'vlm')" in err
            assert 'one file never mixes two teachers' in err
            assert path.read_bytes() == kept
        assert len(server.requests) == asked
        other = tmp_path / 'other'
        assert ask(tool, cfg, server, 'other-vlm', '--out-dir',
                   str(other)) == 0
        assert json.load(open(other / path.name))['teacher'] == 'other-vlm'
        assert path.read_bytes() == kept


def test_teacher_option_must_match_the_config(tool, data, tmp_path,
                                              monkeypatch, capsys):
    cfg = config(data, tmp_path, teacher='asmv2')
    path = tmp_path / 'desc' / f'{video_of(data)}.json'
    with serve(monkeypatch) as server:
        server.reply = answer
        assert run(tool, cfg, server, '--teacher', 'blip2') == 1
        err = capsys.readouterr().err
        assert "--teacher 'blip2', but" in err
        assert "teacher 'asmv2' from" in err
        assert not server.requests and not path.exists()
        assert run(tool, cfg, server) == 0  # the config's teacher
        texts = json.load(open(path))
        assert (texts['teacher'], texts['model']) == ('asmv2', 'vlm')
        other = tmp_path / 'blip2'
        assert run(tool, cfg, server, '--teacher', 'blip2', '--out-dir',
                   str(other)) == 0
        assert json.load(open(other / path.name))['teacher'] == 'blip2'
