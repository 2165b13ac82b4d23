"""LLM-written GAP description banks against a loopback chat server.

Every request goes to a real HTTP server on 127.0.0.1 (see
``fake_chat_server.py``); the tool is run through its ``main`` as users
run it, and every case checks what was (not) written.
"""
import importlib.util
import json
import os
import os.path as osp

import pytest
import yaml
from fake_chat_server import WORDS, serve

from mmaction_ext.text import TextBank
from mmaction_ext.text.description_generator import (DescriptionGenerator,
                                                     generate_bank)
from mmaction_ext.text.llm_client import ChatClient
from mmaction_ext.text.prompts.gap import (paragraph_prompt, parts_prompt,
                                           synonym_prompt)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PARTS = ['head', 'hand', 'arm', 'hip', 'leg', 'foot']
LABELS = [
    'drink water', 'standing up (from sitting position)', 'put on a shoe'
]
KINDS = ('synonyms', 'paragraph', 'parts')


@pytest.fixture
def fake(monkeypatch):
    with serve(monkeypatch) as server:
        yield server


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
    return dict(
        labels=str(labels),
        out=str(tmp_path / 'bank.yaml'),
        cache=str(tmp_path / 'bank.yaml.cache.jsonl'))


@pytest.fixture
def cli(tool, fake, paths, capsys):
    """Runs the tool on the fake server; returns its exit message.

    Error messages must be one line; the printed summary is in
    ``cli.printed``.
    """

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
            message = str(exc.code)
            assert exc.code not in (0, None) and '\n' not in message
            return message
        finally:
            run.printed = capsys.readouterr().out
        return None

    return run


def load_bank(path, labels=LABELS):
    bank = TextBank(path, required_parts=PARTS, min_synonyms=10)
    bank.check_labels(labels)
    return bank


def files(paths):
    return sorted(os.listdir(osp.dirname(paths['out'])))


def test_full_run_writes_a_valid_bank(cli, fake, paths):
    assert cli('--name', 'demo') is None
    bank = load_bank(paths['out'])
    assert bank.name == 'demo' and bank.version == 1 and bank.parts == PARTS
    assert len(fake.requests) == 9  # 3 prompts x 3 labels, no retries
    assert all(r['path'] == '/v1/chat/completions' for r in fake.requests)
    for request in fake.requests:
        assert request['headers']['authorization'] == 'Bearer test-key'
        assert request['body']['model'] == 'test-model'
        assert request['body']['temperature'] == 0.1
    prompts = [r['body']['messages'] for r in fake.requests]
    assert prompts == [[{
        'role': 'user',
        'content': prompt(label)
    }] for label in LABELS for prompt in (synonym_prompt, paragraph_prompt,
                                          parts_prompt)]
    # the label, its upper-case repeat, quotes and the dot are gone
    assert bank.synonyms(
        2, with_label=False) == [f'put on a shoe {w}' for w in WORDS]
    assert bank.part(0, 'foot') == 'feet stay planted'
    assert len(open(paths['cache']).read().splitlines()) == 9
    assert files(paths) == ['bank.yaml', 'bank.yaml.cache.jsonl', 'labels.txt']
    assert cli.printed.strip().endswith(
        '0 classes kept, 3 generated (9 answers asked, 0 from the cache)')


def make_generator(fake, sleeps, retries=6, cache=None):
    client = ChatClient(
        base_url=fake.url(),
        model='test-model',
        retries=retries,
        cache=cache,
        sleep=sleeps.append)
    return DescriptionGenerator(client)


def test_malformed_answers_are_asked_again(fake):
    for kind in KINDS:
        fake.script[(kind, LABELS[0])] = ['bad', 'bad']
    sleeps = []
    entry = make_generator(fake, sleeps, retries=2).describe(LABELS[0])
    assert len(fake.requests) == 9 and len(sleeps) == 6
    assert list(entry) == ['label', 'synonyms', 'paragraph', 'parts']
    assert list(entry['parts']) == PARTS and entry['paragraph'].startswith(
        'The person')
    assert len(entry['synonyms']) == 10


def test_http_401_fails_fast_and_names_no_unwritten_file(cli, fake, paths):
    fake.plan = ['401']
    message = cli()
    assert 'HTTP 401' in message and 'Incorrect API key provided' in message
    assert 'no class was finished and nothing was written' in message
    assert paths['out'] not in message and paths['cache'] not in message
    assert len(fake.requests) == 1
    assert files(paths) == ['labels.txt']


def test_a_run_without_a_finished_class_writes_no_bank(cli, fake, paths):
    fake.always[('paragraph', LABELS[0])] = 'bad'
    message = cli(retries=1)
    assert "paragraph of class 'drink water'" in message
    assert 'the paragraph has 3 words' in message
    # the accepted synonyms answer is kept for the rerun, and named
    assert f'accepted answers are in {paths["cache"]}' in message
    assert 'finished classes' not in message and paths['out'] + ';' not in \
        message
    assert files(paths) == ['bank.yaml.cache.jsonl', 'labels.txt']


def test_persistently_malformed_answer_names_the_label(cli, fake, paths):
    fake.always[('synonyms', LABELS[2])] = 'bad'
    message = cli(retries=2)
    assert f"synonyms of class '{LABELS[2]}'" in message
    assert '3 distinct synonyms' in message and fake.url() in message
    assert f'finished classes are in {paths["out"]}' in message
    assert fake.asked().count(('synonyms', LABELS[2])) == 3
    assert load_bank(paths['out'], LABELS[:2])  # finished classes stay


def test_cache_makes_a_rerun_send_nothing(cli, fake, paths):
    assert cli() is None
    first = open(paths['out'], 'rb').read()
    os.remove(paths['out'])
    assert cli() is None
    assert len(fake.requests) == 9
    assert open(paths['out'], 'rb').read() == first
    assert '0 answers asked, 9 from the cache' in cli.printed


def test_a_complete_bank_is_left_untouched(cli, fake, paths):
    assert cli() is None
    stat = os.stat(paths['out'])
    cache = open(paths['cache'], 'rb').read()
    assert cli() is None
    assert 'already describes all 3 labels' in cli.printed
    assert os.stat(paths['out']).st_mtime_ns == stat.st_mtime_ns
    assert open(paths['cache'], 'rb').read() == cache
    assert len(fake.requests) == 9
    assert files(paths) == ['bank.yaml', 'bank.yaml.cache.jsonl', 'labels.txt']


def test_corrupt_last_cache_line_is_ignored(cli, fake, paths):
    assert cli() is None
    text = open(paths['cache']).read()
    with open(paths['cache'], 'w') as f:  # as if killed mid-write
        f.write(text[:-40])
    os.remove(paths['out'])
    assert cli() is None
    assert fake.asked(9) == [('parts', LABELS[2])]
    lines = open(paths['cache']).read().splitlines()
    assert len(lines) == 9 and all(json.loads(line) for line in lines)


@pytest.mark.parametrize('content', [
    '# my notes\nline two\n', 'one line without newline',
    '{"model": "m", "temperature": 0, "answer": "no messages"}\n'
])
def test_cache_that_is_not_a_cache_is_refused(cli, fake, paths, content):
    other = osp.join(osp.dirname(paths['out']), 'notes.txt')
    with open(other, 'w') as f:
        f.write(content)
    message = cli('--cache', other)
    assert message.startswith(f'error: {other}:')
    assert 'not an answer cache record' in message
    assert open(other).read() == content
    assert files(paths) == ['labels.txt', 'notes.txt'] and not fake.requests


@pytest.mark.parametrize('option', ['out', 'labels'])
def test_cache_cannot_be_the_bank_or_the_labels(cli, fake, paths, option):
    message = cli('--cache', paths[option])
    assert f'is the --{option} file' in message
    assert files(paths) == ['labels.txt'] and not fake.requests


def test_interrupted_run_resumes_with_missing_prompts_only(cli, fake, paths):
    fake.always[('parts', LABELS[1])] = '500'
    assert 'rerun the same command' in cli(retries=1)
    assert load_bank(paths['out'], LABELS[:1])
    fake.always.clear()
    start = len(fake.requests)
    assert cli() is None
    load_bank(paths['out'])
    assert fake.asked(start) == [('parts', LABELS[1]), ('synonyms', LABELS[2]),
                                 ('paragraph', LABELS[2]),
                                 ('parts', LABELS[2])]


def test_keyboard_interrupt_names_what_was_kept(cli, fake, paths, monkeypatch):
    describe = DescriptionGenerator.describe

    def interrupted(self, label):
        if label == LABELS[1]:
            raise KeyboardInterrupt
        return describe(self, label)

    monkeypatch.setattr(DescriptionGenerator, 'describe', interrupted)
    message = cli()
    assert message == (f'interrupted; finished classes are in {paths["out"]}'
                       f'; accepted answers are in {paths["cache"]}; rerun '
                       'the same command to resume')
    assert load_bank(paths['out'], LABELS[:1])


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
TAILS = ['', '# comment after the classes\nextra: after classes  # mine\n']


def user_bank(tail='', synonyms=None):
    synonyms = synonyms or '\n      - '.join(f'gulp {w}' for w in WORDS)
    return USER_BANK.format(synonyms=synonyms, tail=tail)


@pytest.mark.parametrize('tail', TAILS)
def test_existing_bank_keeps_its_text_and_gets_a_backup(
        cli, fake, paths, tail):
    user_text = user_bank(tail)
    with open(paths['out'], 'w') as f:
        f.write(user_text)
    user_data = yaml.safe_load(user_text)
    assert cli() is None
    bank = load_bank(paths['out'])
    assert bank.classes[0] == user_data['classes'][0] and bank.version == 3
    text = open(paths['out']).read()
    head, rest = user_text[:len(user_text) - len(tail)], tail
    assert text.startswith(head) and text.endswith(rest)  # all text kept
    data = yaml.safe_load(text)
    assert list(data) == list(user_data)  # key order kept
    assert {k: v for k, v in data.items() if k != 'classes'} == \
        {k: v for k, v in user_data.items() if k != 'classes'}
    assert fake.asked() == [(kind, label) for label in LABELS[1:]
                            for kind in KINDS]
    assert open(paths['out'] + '.bak').read() == user_text
    assert f'the previous bank is in {paths["out"]}.bak' in cli.printed


def test_backups_never_overwrite_each_other(cli, fake, paths):
    with open(paths['out'], 'w') as f:
        f.write(user_bank())
    with open(paths['out'] + '.bak', 'w') as f:
        f.write('an older backup\n')
    assert cli() is None
    assert open(paths['out'] + '.bak').read() == 'an older backup\n'
    assert open(paths['out'] + '.bak.1').read() == user_bank()


FLOW_BANK = """\
# classes in flow style cannot grow without a rewrite
schema: mmaction_ext.text_bank/1
name: bank
version: 1
parts: [head, hand, arm, hip, leg, foot]
classes: [{index: 0, label: drink water, synonyms: [%s],
  parts: {head: a, hand: b, arm: c, hip: d, leg: e, foot: f}}]
""" % ', '.join(f'gulp {w}' for w in WORDS)


def test_bank_that_cannot_grow_in_place_is_refused(cli, fake, paths):
    with open(paths['out'], 'w') as f:
        f.write(FLOW_BANK)
    message = cli()
    assert message.startswith(f'error: {paths["out"]}: cannot add classes '
                              'without rewriting the file')
    assert open(paths['out']).read() == FLOW_BANK
    assert files(paths) == ['bank.yaml', 'labels.txt'] and not fake.requests


def test_bank_must_describe_a_prefix_of_the_labels(cli, fake, paths):
    text = user_bank(synonyms='gulp').replace('label: drink water',
                                              'label: put on a shoe')
    with open(paths['out'], 'w') as f:
        f.write(text)
    message = cli()
    assert paths['out'] in message and 'class 0' in message
    assert "'put on a shoe'" in message and "'drink water'" in message
    assert open(paths['out']).read() == text and not fake.requests


@pytest.mark.parametrize('content,error', [
    ('schema: [unclosed\n', 'not valid YAML'),
    ('drink water\nput on a shoe\n', 'not a text bank'),
])
def test_out_that_is_not_a_bank_is_refused(cli, fake, paths, content, error):
    with open(paths['out'], 'w') as f:
        f.write(content)
    message = cli()
    assert message.startswith(f'error: {paths["out"]}') and error in message
    assert open(paths['out']).read() == content
    assert files(paths) == ['bank.yaml', 'labels.txt'] and not fake.requests


def test_bank_edited_during_the_run_is_not_overwritten(fake, paths):
    generator = make_generator(fake, [])
    describe = generator.describe

    def describe_while_user_edits(label):
        entry = describe(label)
        if label == LABELS[1]:
            with open(paths['out'], 'a') as f:
                f.write('# a note added meanwhile\n')
        return entry

    generator.describe = describe_while_user_edits
    with pytest.raises(ValueError, match='changed on disk'):
        generate_bank(LABELS, paths['out'], generator, log=lambda _: None)
    text = open(paths['out']).read()
    assert text.endswith('# a note added meanwhile\n')
    assert load_bank(paths['out'], LABELS[:1])


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
    assert files(paths) == ['labels.txt']
    assert not fake.requests
