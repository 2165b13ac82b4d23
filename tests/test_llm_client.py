"""The chat client, messages and answer cache against a loopback server."""
import base64
import io
import json
import re

import numpy as np
import pytest
from fake_chat_server import serve
from PIL import Image

from mmaction_ext.text.answer_cache import AnswerCache, AnswerCacheError
from mmaction_ext.text.chat_messages import (check_messages, encode_image,
                                             message_key, user_message)
from mmaction_ext.text.llm_client import (ChatClient, ChatClientError,
                                          Conversation)


@pytest.fixture
def fake(monkeypatch):
    with serve(monkeypatch) as server:
        yield server


def make_client(fake, sleeps=None, **kwargs):
    kwargs.setdefault('retries', 6)
    return ChatClient(
        base_url=fake.url(),
        model='test-model',
        sleep=(sleeps if sleeps is not None else []).append,
        **kwargs)


def decode(url):
    header, data = url.split(',', 1)
    assert header.startswith('data:image/') and header.endswith(';base64')
    return header[5:-7], Image.open(io.BytesIO(base64.b64decode(data)))


def test_env_gives_the_defaults(fake, monkeypatch):
    monkeypatch.setenv('OPENAI_BASE_URL', fake.url('/v1/'))
    assert ChatClient().complete('hello') == 'echo: hello'
    ChatClient(model='m', api_key='').complete('hi')
    first, second = fake.requests
    assert first['path'] == second['path'] == '/v1/chat/completions'
    assert first['body']['model'] == 'env-model'
    assert first['headers']['authorization'] == 'Bearer env-key'
    assert second['body']['model'] == 'm'
    assert 'authorization' not in second['headers']
    assert second['body']['messages'] == [{'role': 'user', 'content': 'hi'}]
    assert second['body']['temperature'] == 0


@pytest.mark.parametrize('kwargs,error', [
    (dict(base_url='localhost:8000'), 'must start with http'),
    (dict(model=''), 'no model name'),
    (dict(retries=-1), 'retries must be >= 0'),
    (dict(timeout=0), 'timeout must be > 0'),
])
def test_bad_settings_are_refused(fake, monkeypatch, kwargs, error):
    monkeypatch.delenv('MMACTION_EXT_LLM_MODEL')
    kwargs = dict(dict(base_url=fake.url(), model='m'), **kwargs)
    with pytest.raises(ValueError, match=error):
        ChatClient(**kwargs)


def test_transient_failures_are_retried_with_backoff(fake):
    sleeps = []
    fake.plan = [
        '500', '429', 'drop', 'nonjson', 'empty_choices', 'null_content',
        '503_text'
    ]
    client = make_client(fake, sleeps, retries=7, max_backoff=1000)
    assert client.complete('x') == 'echo: x'
    assert len(fake.requests) == 8
    assert sleeps == [1, 2, 4, 8, 16, 32, 64]  # exponential backoff


def test_retry_after_is_honoured_and_backoff_capped(fake):
    sleeps = []
    fake.plan = ['429_wait', '500', '500', '500']
    make_client(fake, sleeps, max_backoff=5).complete('x')
    assert sleeps == [3, 2, 4, 5]


def test_the_last_error_is_reported_after_the_retries(fake):
    sleeps = []
    fake.plan = ['500'] * 5
    with pytest.raises(ChatClientError) as info:
        make_client(fake, sleeps, retries=4).complete('x', what='my question')
    message = str(info.value)
    for part in ('my question', fake.url(), 'after 5 attempt', 'HTTP 500',
                 'upstream overloaded'):
        assert part in message
    assert len(fake.requests) == 5 and len(sleeps) == 4


@pytest.mark.parametrize('action,reason', [
    ('401', 'HTTP 401: Incorrect API key provided'),
    ('404_model', 'HTTP 404: The model `nope` does not exist'),
])
def test_client_errors_fail_at_once(fake, action, reason):
    fake.plan = [action]
    with pytest.raises(ChatClientError) as info:
        make_client(fake).complete('x', what='my question')
    assert str(info.value) == (f'my question: {fake.url()}/chat/completions '
                               f'answered {reason}')
    assert len(fake.requests) == 1


def test_unreachable_server_names_it(fake):
    fake.close()
    with pytest.raises(ChatClientError) as info:
        make_client(fake, retries=1).complete('x')
    assert fake.url() in str(info.value)
    assert 'connection failed' in str(info.value)


def test_timeouts_are_retried_then_reported(fake):
    sleeps = []
    fake.plan = ['slow']
    client = make_client(fake, sleeps, timeout=1.0)
    assert client.complete('x') == 'echo: x'
    assert len(fake.requests) == 2 and sleeps == [1]
    fake.plan = ['slow']
    with pytest.raises(ChatClientError, match='no answer within 1 s'):
        make_client(fake, timeout=1.0, retries=0).complete('y')


def test_rejected_answers_are_asked_again(fake):
    answers = iter(['short', 'still short', 'long enough answer'])
    fake.reply = lambda body: next(answers)

    def validate(answer):
        if len(answer.split()) < 3:
            raise ValueError(f'{answer!r} is too short')

    sleeps = []
    assert make_client(fake, sleeps).complete(
        'x', validate=validate) == 'long enough answer'
    assert len(fake.requests) == 3 and sleeps == [1, 2]
    fake.reply = lambda body: 'short'
    with pytest.raises(ChatClientError) as info:
        make_client(fake, retries=1).complete('x', validate, what='q')
    assert "answer rejected: 'short' is too short" in str(info.value)


def test_conversation_sends_the_whole_history(fake):
    fake.reply = lambda body: f'answer {len(body["messages"])}'
    talk = Conversation(make_client(fake), system='You are terse.')
    assert talk.ask('first?') == 'answer 2'
    talk.add('user', 'an observation')
    assert talk.ask('second?') == 'answer 5'
    assert fake.requests[1]['body']['messages'] == [
        {
            'role': 'system',
            'content': 'You are terse.'
        },
        {
            'role': 'user',
            'content': 'first?'
        },
        {
            'role': 'assistant',
            'content': 'answer 2'
        },
        {
            'role': 'user',
            'content': 'an observation'
        },
        {
            'role': 'user',
            'content': 'second?'
        },
    ]
    assert talk.messages[-1] == {'role': 'assistant', 'content': 'answer 5'}
    with pytest.raises(ValueError, match="role must be one of"):
        talk.add('robot', 'hi')


def test_images_are_sent_as_content_parts(fake, tmp_path):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    gray = rng.integers(0, 256, (5, 4), dtype=np.uint8)
    png, bmp = tmp_path / 'frame.png', tmp_path / 'frame.bmp'
    Image.fromarray(rgb).save(png)
    Image.fromarray(gray).save(bmp)
    talk = Conversation(make_client(fake))
    talk.ask(
        'What happens?',
        [rgb, Image.fromarray(gray), str(png), bmp],
        detail='low')
    content = fake.requests[0]['body']['messages'][0]['content']
    assert content[0] == {'type': 'text', 'text': 'What happens?'}
    assert [p['type'] for p in content[1:]] == ['image_url'] * 4
    assert all(p['image_url']['detail'] == 'low' for p in content[1:])
    decoded = [decode(p['image_url']['url']) for p in content[1:]]
    assert [mime for mime, _ in decoded] == ['image/png'] * 4
    expected = [rgb, gray, rgb, gray]
    for (_, image), pixels in zip(decoded, expected):
        np.testing.assert_array_equal(np.asarray(image), pixels)
    assert open(png, 'rb').read() == base64.b64decode(
        content[3]['image_url']['url'].split(',')[1])  # sent as it is
    mime, image = decode(encode_image(rgb, 'jpeg'))
    assert mime == 'image/jpeg' and image.size == (8, 6)


@pytest.mark.parametrize('image,error', [
    (np.zeros((4, 4, 3)), 'uint8'),
    (np.zeros((4, 4, 2), np.uint8), 'got shape (4, 4, 2)'),
    ('missing.png', 'no image file missing.png'),
    (3, 'got int'),
])
def test_bad_images_are_named(image, error):
    with pytest.raises((ValueError, TypeError, OSError),
                       match=re.escape(error)) as e:
        user_message('q', [np.zeros((2, 2), np.uint8), image])
    assert 'image 1' in str(e.value)


@pytest.mark.parametrize('messages,error', [
    ([], 'non-empty list'),
    ('hello', 'non-empty list'),
    ([{
        'role': 'user'
    }], 'message 0: content must be'),
    ([{
        'role': 'user',
        'content': 'a'
    }, 'b'], 'message 1 is a str'),
    ([{
        'role': 'user',
        'content': [{
            'type': 'audio'
        }]
    }], 'content parts'),
])
def test_malformed_messages_are_refused_before_sending(fake, messages, error):
    with pytest.raises(ValueError, match=error):
        make_client(fake).chat(messages)
    with pytest.raises(ValueError, match=error):
        check_messages(messages)
    assert not fake.requests


def test_cache_keys_on_messages_images_model_and_temperature(fake, tmp_path):
    path = str(tmp_path / 'answers.jsonl')
    frame = np.zeros((4, 4, 3), np.uint8)

    def run(model='test-model', temperature=0.0, pixel=0, history='hi'):
        client = make_client(
            fake, cache=AnswerCache(path), temperature=temperature)
        client.model = model
        talk = Conversation(client, system='sys')
        talk.ask(history)
        shown = frame.copy()
        shown[0, 0, 0] = pixel
        talk.ask('and now?', [shown])
        return client

    first = run()
    assert (first.asked, first.cached) == (2, 0) and len(fake.requests) == 2
    again = run()
    assert (again.asked, again.cached) == (0, 2) and len(fake.requests) == 2
    for changed in (dict(pixel=1), dict(model='other'), dict(temperature=0.5),
                    dict(history='hello')):
        before = len(fake.requests)
        run(**changed)
        assert len(fake.requests) > before, changed
    assert len(fake.requests) == 2 + 1 + 2 + 2 + 2
    text = open(path).read()
    assert 'base64' not in text and 'sha256:' in text  # images by hash
    records = [json.loads(line) for line in text.splitlines()]
    assert records[1]['messages'][-1]['content'][0]['text'] == 'and now?'


def test_cache_reads_prompt_records(tmp_path):
    path = tmp_path / 'c.jsonl'
    path.write_text(
        json.dumps(dict(model='m', temperature=0.1, prompt='p', answer='old'))
        + '\n')
    cache = AnswerCache(str(path))
    assert cache.get('m', 0.1, 'p') == 'old'
    assert cache.get('m', 0.1, [user_message('p')]) == 'old'
    assert cache.get('m', 0.0, 'p') is None
    assert cache.get('other', 0.1, 'p') is None
    cache.put('m', 0.1, [user_message('q')], 'new')
    assert AnswerCache(str(path)).get('m', 0.1, 'q') == 'new'


def test_cached_answer_failing_the_validator_is_asked_again(fake, tmp_path):
    cache = AnswerCache(str(tmp_path / 'c.jsonl'))
    cache.put('test-model', 0.0, 'x', 'stale')
    client = make_client(fake, cache=cache)

    def validate(answer):
        if answer == 'stale':
            raise ValueError('stale')

    assert client.complete('x', validate) == 'echo: x'
    assert AnswerCache(cache.path).get('test-model', 0.0, 'x') == 'echo: x'


RECORD = json.dumps(
    dict(model='m', temperature=0.0, messages=[user_message('p')], answer='a'))


@pytest.mark.parametrize('content', [
    b'hello\n',
    b'hello',
    b'# my bank\nschema: x\n',
    b'{"a": 1}',
    b'{"a": 1}\n',
    b'\x89PNG\r\n\x1a\n\x00\x00',
    (RECORD + '\nnot a record\n' + RECORD + '\n').encode(),
])
def test_a_file_that_is_not_a_cache_is_refused_untouched(tmp_path, content):
    path = tmp_path / 'c.jsonl'
    path.write_bytes(content)
    with pytest.raises(AnswerCacheError, match='not an answer cache record'):
        AnswerCache(str(path))
    assert path.read_bytes() == content


def test_a_cut_short_last_record_is_replaced(tmp_path):
    path = tmp_path / 'c.jsonl'
    for cut in (RECORD[:5], RECORD[:40]):
        path.write_text(RECORD + '\n' + cut)
        cache = AnswerCache(str(path))
        assert len(cache) == 1
        cache.put('m', 0.0, 'q', 'b')
        lines = path.read_text().splitlines()
        assert [json.loads(line)['answer'] for line in lines] == ['a', 'b']


def test_message_key_hashes_images_and_is_idempotent():
    message = user_message('q', [np.zeros((2, 2), np.uint8)])
    key = message_key([message])
    assert 'base64' not in key and len(key) < 300
    assert message_key(json.loads(key)) == key
