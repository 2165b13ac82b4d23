"""LLM-written GAP descriptions against a local fake chat-completions server.

Every request goes to a real HTTP server on 127.0.0.1 (stdlib
``http.server`` in a thread); a socket guard fails the test on any other
address, and the environment's base URL points at a path of the fake server
that answers 404, so using it by mistake cannot go unnoticed.
"""
import importlib.util
import json
import os
import os.path as osp
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from mmaction_ext.text import TextBank
from mmaction_ext.text.description_generator import (
    AnswerCache, DescriptionGenerator, paragraph_prompt, parse_paragraph,
    parse_parts, parse_synonyms, parts_prompt, synonym_prompt)
from mmaction_ext.text.llm_client import ChatClient, ChatClientError

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PARTS = ['head', 'hand', 'arm', 'hip', 'leg', 'foot']
LABELS = [
    'drink water', 'standing up (from sitting position)', 'put on a shoe'
]
WORDS = [
    'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta',
    'iota', 'kappa'
]
KINDS = {
    'Describe a person': 'paragraph',
    'Suggest 10 synonyms': 'synonyms',
    'Describing following body parts': 'parts'
}


def good_answer(kind, label):
    """Deterministic answers in the shapes real models use."""
    if kind == 'paragraph':
        return (f'The person doing "{label}" stands upright, shifts weight '
                'between both feet, moves the arms with purpose and keeps '
                'the head facing forward throughout the action.')
    if kind == 'synonyms':  # with the label, a duplicate, quotes and a dot
        names = [f'"{label}"'] + [f'{label} {w}' for w in WORDS]
        return 'A: ' + ', '.join(names) + f', {label.upper()} ALPHA.'
    return (f'1. head turns toward the task of "{label}"\n'
            '2. hands reach forward\n3. arms bend at the elbows\n'
            '4. hip stays level\n5. legs stay straight\n6. feet stay planted.')


BAD_ANSWERS = {
    'paragraph': 'The person drinks.',
    'synonyms': 'sip, gulp, swig',
    'parts': 'head tilts; hand grasps; arm bends; hip stays; leg stands',
}
ERRORS = {
    '500': (500, {
        'error': {
            'message': 'upstream overloaded'
        }
    }),
    '429': (429, {
        'error': {
            'message': 'Rate limit reached'
        }
    }),
    '401': (401, {
        'error': {
            'message': 'Incorrect API key provided'
        }
    }),
    'empty_choices': (200, {
        'choices': []
    }),
}


class FakeLLM:
    """A scripted chat-completions server on 127.0.0.1.

    ``plan`` holds actions for the next requests of any prompt; ``script``
    holds them per ``(kind, label)``; ``always`` fixes the action of a
    ``(kind, label)`` for good. Actions: ``ok``, ``bad`` (a malformed
    answer), ``nonjson``, ``drop`` (closes the connection) or a key of
    ``ERRORS``.
    """

    def __init__(self):
        self.requests = []
        self.plan, self.script, self.always = [], {}, {}
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
        self.httpd.fake = self
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.02, ), daemon=True)
        self.thread.start()

    def url(self, path='/v1'):
        return f'http://127.0.0.1:{self.httpd.server_port}{path}'

    def asked(self, start=0):
        """``(kind, label)`` of the requests from number ``start`` on."""
        return [(r['kind'], r['label']) for r in self.requests[start:]]

    def next_action(self, kind, label):
        with self.lock:
            if self.plan:
                return self.plan.pop(0)
            if self.script.get((kind, label)):
                return self.script[(kind, label)].pop(0)
            return self.always.get((kind, label), 'ok')

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):

    def log_message(self, *args):  # keep test output clean
        pass

    def do_POST(self):
        fake = self.server.fake
        body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
        prompt = body['messages'][0]['content']
        kind = next(k for p, k in KINDS.items() if prompt.startswith(p))
        label = re.search(r'"(.*)"', prompt).group(1)
        with fake.lock:
            fake.requests.append(
                dict(
                    path=self.path,
                    headers=dict(self.headers),
                    body=body,
                    kind=kind,
                    label=label))
        if self.path != '/v1/chat/completions':
            return self._send(404, {'error': {'message': 'unknown path'}})
        action = fake.next_action(kind, label)
        if action == 'drop':
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        elif action == 'nonjson':
            self._send(200, b'<html>Bad gateway</html>')
        elif action in ERRORS:
            self._send(*ERRORS[action])
        else:
            answer = (BAD_ANSWERS if action == 'bad' else None)
            content = answer[kind] if answer else good_answer(kind, label)
            self._send(
                200, {
                    'choices': [{
                        'message': {
                            'role': 'assistant',
                            'content': content
                        }
                    }]
                })

    def _send(self, code, payload):
        data = payload if isinstance(payload,
                                     bytes) else json.dumps(payload).encode()
        self.send_response(code)
        self.send_header('Content-Length', str(len(data)))
        if code == 429:
            self.send_header('Retry-After', '0')
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def fake(monkeypatch):
    """The server, a guard against other addresses and a decoy env."""
    server = FakeLLM()
    elsewhere = []
    connect = socket.socket.connect

    def guarded_connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and \
                address[0] != '127.0.0.1':
            elsewhere.append(address)
            raise OSError(f'test tried to reach {address}')
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, 'connect', guarded_connect)
    for proxy in ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy',
                  'https_proxy', 'all_proxy'):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv('NO_PROXY', '127.0.0.1')
    monkeypatch.setenv('OPENAI_BASE_URL', server.url('/env-v1'))
    monkeypatch.setenv('OPENAI_API_KEY', 'env-key')
    monkeypatch.setenv('MMACTION_EXT_LLM_MODEL', 'env-model')
    yield server
    server.close()
    assert not elsewhere, f'contacted {elsewhere}'


@pytest.fixture(scope='module')
def tool():
    path = osp.join(ROOT, 'tools', 'text', 'generate_descriptions.py')
    spec = importlib.util.spec_from_file_location('generate_descriptions',
                                                  path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def paths(tmp_path):
    labels = tmp_path / 'labels.txt'
    labels.write_text('# a comment line\n' + '\n'.join(LABELS) + '\n')
    return dict(labels=str(labels), out=str(tmp_path / 'bank.yaml'))


@pytest.fixture
def cli(tool, fake, paths):
    """Runs the tool on the fake server; returns its exit message."""

    def run(*extra, retries=3):
        argv = [
            '--labels', paths['labels'], '--out', paths['out'], '--base-url',
            fake.url(), '--model', 'test-model', '--api-key', 'test-key',
            '--retries',
            str(retries), '--backoff', '0', *extra
        ]
        try:
            tool.main(argv)
        except SystemExit as exc:
            return str(exc.code)
        return None

    return run


def load_bank(path, labels=LABELS):
    bank = TextBank(path, required_parts=PARTS, min_synonyms=10)
    bank.check_labels(labels)
    return bank


def test_full_run_writes_a_valid_bank(cli, fake, paths):
    assert cli('--name', 'demo') is None
    bank = load_bank(paths['out'])
    assert bank.name == 'demo' and bank.version == 1 and bank.parts == PARTS
    assert len(fake.requests) == 9  # 3 prompts x 3 labels, no retries
    assert all(r['path'] == '/v1/chat/completions' for r in fake.requests)
    for request in fake.requests:
        assert request['headers']['Authorization'] == 'Bearer test-key'
        assert request['body']['model'] == 'test-model'
        assert request['body']['temperature'] == 0.1
    prompts = {r['body']['messages'][0]['content'] for r in fake.requests}
    assert prompts == {
        prompt(label)
        for label in LABELS
        for prompt in (paragraph_prompt, synonym_prompt, parts_prompt)
    }
    assert parts_prompt('jump') == (
        'Describing following body parts actions when "jump": head, hand, '
        'arm, hip, leg, foot.')
    # the label, its upper-case repeat, quotes and the dot are gone
    assert bank.synonyms(
        2, with_label=False) == [f'put on a shoe {w}' for w in WORDS]
    assert bank.part(0, 'foot') == 'feet stay planted'
    cache_lines = open(paths['out'] + '.cache.jsonl').read().splitlines()
    assert len(cache_lines) == 9
    assert not [
        f for f in os.listdir(osp.dirname(paths['out'])) if f.endswith('.tmp')
    ]


def test_env_gives_the_defaults(fake, monkeypatch):
    monkeypatch.setenv('OPENAI_BASE_URL', fake.url('/v1/'))
    ChatClient().complete('Suggest 10 synonyms for "x"')
    ChatClient(model='m', api_key='').complete('Suggest 10 synonyms for "x"')
    first, second = fake.requests
    assert first['body']['model'] == 'env-model'
    assert first['headers']['Authorization'] == 'Bearer env-key'
    assert second['body']['model'] == 'm'
    assert 'Authorization' not in second['headers']
    assert second['body']['messages'] == [{
        'role':
        'user',
        'content':
        'Suggest 10 synonyms for "x"'
    }]


def make_generator(fake, sleeps, retries=6, backoff=1.0, cache=None):
    client = ChatClient(
        base_url=fake.url(),
        model='test-model',
        retries=retries,
        backoff=backoff,
        sleep=sleeps.append)
    return DescriptionGenerator(client, cache)


def test_retries_recover_from_failures(fake):
    sleeps = []
    fake.plan = ['500', '429', 'drop', 'nonjson', 'empty_choices', 'bad']
    entry = make_generator(fake, sleeps).describe(LABELS[0])
    assert len(entry['synonyms']) == 10
    assert fake.asked() == [('synonyms', LABELS[0])] * 7 + [
        ('paragraph', LABELS[0]), ('parts', LABELS[0])
    ]
    assert sleeps == [1, 2, 4, 8, 16, 32]  # exponential backoff


def test_retries_recover_from_malformed_answers(fake):
    for kind in ('synonyms', 'paragraph', 'parts'):
        fake.script[(kind, LABELS[0])] = ['bad', 'bad']
    sleeps = []
    entry = make_generator(fake, sleeps, retries=2).describe(LABELS[0])
    assert len(fake.requests) == 9 and len(sleeps) == 6
    assert list(entry['parts']) == PARTS and entry['paragraph'].startswith(
        'The person')


def test_backoff_is_capped_and_the_last_error_reported(fake):
    sleeps = []
    generator = make_generator(fake, sleeps, retries=4)
    generator.client.max_backoff = 5
    fake.always[('synonyms', 'jump')] = '500'
    with pytest.raises(ChatClientError) as info:
        generator.describe('jump')
    assert sleeps == [1, 2, 4, 5]
    message = str(info.value)
    for part in ("synonyms of class 'jump'", fake.url(), 'after 5 attempt',
                 'HTTP 500', 'upstream overloaded'):
        assert part in message


def test_http_401_fails_fast_with_the_server_message(cli, fake, paths):
    fake.plan = ['401']
    message = cli()
    assert 'HTTP 401' in message and 'Incorrect API key provided' in message
    assert len(fake.requests) == 1
    assert not osp.exists(paths['out'])


def test_persistently_malformed_answer_names_the_label(cli, fake, paths):
    fake.always[('synonyms', LABELS[2])] = 'bad'
    message = cli(retries=2)
    assert f"synonyms of class '{LABELS[2]}'" in message
    assert '3 distinct synonyms' in message and fake.url() in message
    assert fake.asked().count(('synonyms', LABELS[2])) == 3
    assert load_bank(paths['out'], LABELS[:2])  # finished classes stay


def test_cache_makes_a_rerun_send_nothing(cli, fake, paths):
    assert cli() is None
    first = open(paths['out'], 'rb').read()
    os.remove(paths['out'])
    assert cli() is None
    assert len(fake.requests) == 9
    assert open(paths['out'], 'rb').read() == first


def test_corrupt_last_cache_line_is_ignored(cli, fake, paths):
    assert cli() is None
    cache = paths['out'] + '.cache.jsonl'
    text = open(cache).read()
    with open(cache, 'w') as f:  # as if killed while writing the last line
        f.write(text[:-40])
    os.remove(paths['out'])
    assert cli() is None
    assert fake.asked(9) == [('parts', LABELS[2])]
    lines = open(cache).read().splitlines()
    assert len(lines) == 9 and all(json.loads(line) for line in lines)


def test_interrupted_run_resumes_with_missing_prompts_only(cli, fake, paths):
    fake.always[('parts', LABELS[1])] = '500'
    assert 'rerun' in cli(retries=1)
    assert load_bank(paths['out'], LABELS[:1])
    fake.always.clear()
    start = len(fake.requests)
    assert cli() is None
    load_bank(paths['out'])
    assert fake.asked(start) == [('parts', LABELS[1]), ('synonyms', LABELS[2]),
                                 ('paragraph', LABELS[2]),
                                 ('parts', LABELS[2])]


USER_BANK = """\
# My hand-edited bank: keep this comment.
schema: mmaction_ext.text_bank/1
name: bank
version: 3
parts: [head, hand, arm, hip, leg, foot]
classes:
  - index: 0
    label: drink water
    synonyms:
      - sip water   # edited by hand
      - {synonyms}
    paragraph: "My own words, not the model's."
    parts: {{head: head tips back, hand: hand holds a cup, arm: arm bends,
      hip: hip still, leg: leg still, foot: foot flat}}
    joints: extra key of another method
{tail}"""


@pytest.mark.parametrize('tail,appended', [('', True),
                                           ('extra: after classes\n', False)])
def test_existing_classes_are_kept(cli, fake, paths, tail, appended):
    user_text = USER_BANK.format(
        synonyms='\n      - '.join(f'gulp {w}' for w in WORDS), tail=tail)
    with open(paths['out'], 'w') as f:
        f.write(user_text)
    user_class = yaml.safe_load(user_text)['classes'][0]
    assert cli() is None
    bank = load_bank(paths['out'])
    assert bank.classes[0] == user_class and bank.version == 3
    text = open(paths['out']).read()
    assert text.startswith(user_text) == appended
    assert fake.asked() == [(kind, label) for label in LABELS[1:]
                            for kind in ('synonyms', 'paragraph', 'parts')]


def test_bank_must_describe_a_prefix_of_the_labels(cli, fake, paths):
    text = USER_BANK.format(
        synonyms='gulp', tail='').replace('label: drink water',
                                          'label: put on a shoe')
    with open(paths['out'], 'w') as f:
        f.write(text)
    message = cli()
    assert paths['out'] in message and 'class 0' in message
    assert "'put on a shoe'" in message and "'drink water'" in message
    assert open(paths['out']).read() == text and not fake.requests


@pytest.mark.parametrize('content,error', [
    ('', 'no labels'),
    ('# just a comment\n', 'no labels'),
    ('a\n\nb\n', ':2: blank line'),
    ('a\nb\na\n', ':3: label \'a\' repeats line 1'),
    ('a\n b\n', ':2: label \' b\' has leading'),
])
def test_bad_label_lists_write_nothing(cli, fake, paths, content, error):
    with open(paths['labels'], 'w') as f:
        f.write(content)
    message = cli()
    assert paths['labels'] in message and error in message
    assert os.listdir(osp.dirname(paths['out'])) == ['labels.txt']
    assert not fake.requests


def test_cache_keys_on_model_and_temperature(tmp_path):
    cache = AnswerCache(str(tmp_path / 'c.jsonl'))
    cache.put('m', 0.1, 'p', 'answer')
    reloaded = AnswerCache(str(tmp_path / 'c.jsonl'))
    assert reloaded.get('m', 0.1, 'p') == 'answer'
    assert reloaded.get('m', 0.0, 'p') is None
    assert reloaded.get('other', 0.1, 'p') is None


def test_parsers_tolerate_common_answer_shapes():
    answer = ('Here are 10 synonyms for "put on a shoe":\n1. "Slip on a '
              'shoe"\n2. don footwear.\n3. Put On A Shoe\n- wear a shoe\n'
              '* lace up, shoe up\n7) pull on a shoe\n8. fit a shoe\n9. step '
              'into a shoe\n10. get shod\n11. Don footwear\n12. boot up')
    assert parse_synonyms(answer, 'put on a shoe') == [
        'Slip on a shoe', 'don footwear', 'wear a shoe', 'lace up', 'shoe up',
        'pull on a shoe', 'fit a shoe', 'step into a shoe', 'get shod',
        'boot up'
    ]
    label = 'grab other person\u2019s stuff'  # NTU's typographic apostrophe
    quoted = ', '.join(f'"{label} {w}"' for w in WORDS)
    assert parse_synonyms(f'"{label}", {quoted}',
                          label) == [f'{label} {w}' for w in WORDS]
    gap_style = ('head tilts slightly forward; hand reaches down and grasps '
                 'shoe; arm extends down and forward; hip remains stationary;'
                 ' leg bends at the knee; foot inserts into shoe.')
    assert parse_parts('A: ' + gap_style)['foot'] == 'foot inserts into shoe'
    listed = ('Body parts:\n1. Head: tilts down.\n2. **Hands**: grip the '
              'cup\n3. Arms - bend\n4. Hips stay still\n5. Legs stand\n6. '
              'Feet flat.')
    assert parse_parts(listed) == {
        'head': 'Head tilts down',
        'hand': 'Hands grip the cup',
        'arm': 'Arms bend',
        'hip': 'Hips stay still',
        'leg': 'Legs stand',
        'foot': 'Feet flat'
    }
    assert parse_paragraph('A:  "' + 'word ' * 20 + '"') == ' '.join(['word'] *
                                                                     20)


@pytest.mark.parametrize('parse,answer,error', [
    (parse_synonyms, 'sip, gulp, swig', '3 distinct synonyms'),
    (parse_synonyms, ', '.join(['drink water'] * 12), '0 distinct'),
    (parse_parts, BAD_ANSWERS['parts'], '5 part clauses'),
    (parse_parts, 'head a; hand b; arm c; leg d; hip e; foot f',
     "the hip clause 'leg d'"),
    (parse_paragraph, 'The person drinks.', '3 words'),
])
def test_parsers_reject_malformed_answers(parse, answer, error):
    args = (answer, 'drink water') if parse is parse_synonyms else (answer, )
    with pytest.raises(ValueError, match=re.escape(error)):
        parse(*args)
