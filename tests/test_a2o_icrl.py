"""A2O's ICRL agent: prompt, parser, loop, baselines, kill and resume."""
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from fake_chat_server import last_user_text, serve

from mmaction_ext.agents import (ICRLAgent, ICRLError, TrainResult,
                                 apply_object_classes, load_injected_history)
from mmaction_ext.text.llm_client import ChatClient
from mmaction_ext.text.prompts.a2o import (format_history, icrl_prompt,
                                           parse_object_set)
from mmaction_ext.utils.errors import BadInputError

TARGETS = ['aerobic push up', 'volleyball serve', 'football shoot']


@pytest.fixture
def fake(monkeypatch):
    with serve(monkeypatch) as server:
        server.replies = []
        server.reply = lambda body: server.replies.pop(0)
        yield server


def client(fake, retries=1):
    return ChatClient(
        base_url=fake.url(),
        model='m',
        api_key='',
        retries=retries,
        sleep=lambda s: None)


class FakeTrain:
    """Reward = number of classes / 10; writes a checkpoint file."""

    def __init__(self, fail_at=None, error=ValueError):
        self.calls, self.fail_at, self.error = [], fail_at, error

    def __call__(self, request):
        self.calls.append(request)
        if request.iteration == self.fail_at:
            raise self.error('out of memory')
        os.makedirs(request.work_dir, exist_ok=True)
        checkpoint = osp.join(request.work_dir, 'epoch_1.pth')
        with open(checkpoint, 'w') as f:
            f.write(','.join(request.classes))
        accuracy = len(request.classes) / 10
        per_class = {
            name: accuracy / (i + 1)
            for i, name in enumerate(TARGETS)
        }
        return TrainResult(accuracy, per_class, checkpoint)


def prompts_sent(fake):
    return [last_user_text(r['body']) for r in fake.requests]


def test_history_block_is_listing_2():
    text = format_history([
        dict(
            classes=['person', 'ball'],
            accuracy=0.579,
            class_accuracy={
                'aerobic push up': 0.0,
                'volleyball serve': 0.8203
            })
    ])
    assert text == ('### Iteration 1\nPrompts: ["person", "ball"]\n\n'
                    'Overall Accuracy: 57.900%\n\nClass-wise Accuracy:\n'
                    'aerobic push up: 0.00%\nvolleyball serve: 82.03%')
    prompt = icrl_prompt(TARGETS, [], detector='Grounded SAM2')
    assert '## Classification Target Set\n["aerobic push up", ' in prompt
    assert 'open-vocabulary object detector uses Grounded SAM2.' in prompt
    assert '## Iteration History\nNo iterations yet' in prompt
    assert '## Iteration History' not in icrl_prompt(TARGETS, None)


def test_parser_dedups_truncates_and_rejects():
    reply = 'person\nBall\n"net"\nball\n  left   hand \nhoop'
    assert parse_object_set(reply, 4) == ['person', 'Ball', 'net', 'left hand']
    assert parse_object_set('["person", "ball", "person"]') == [
        'person', 'ball'
    ]
    assert parse_object_set('```\nperson\nball\n```') == ['person', 'ball']
    for bad, reason in [('', 'empty'), ('1. person\n2. ball', 'numbered'),
                        ('- person', 'bulleted'),
                        ('Here are the prompts:\nperson', 'header'),
                        ('person, ball', 'compound'),
                        ('person/ball', 'compound'),
                        ('The person holds the ball.', 'prose'),
                        ('I suggest looking at the person and ball now',
                         'prose')]:
        with pytest.raises(ValueError, match=reason):
            parse_object_set(bad)


def test_two_iterations_with_history_and_best(fake, tmp_path):
    fake.replies = ['person\nball\nPerson\nnet', 'person\nball\nnet\nfloor']
    train = FakeTrain()
    agent = ICRLAgent(
        client(fake),
        TARGETS,
        str(tmp_path),
        train,
        maps_step=lambda classes: f'maps/{len(classes)}',
        iterations=2,
        max_classes=3)
    best = agent.run()
    assert [r.classes for r in train.calls] == [['person', 'ball', 'net'],
                                                ['person', 'ball', 'net']]
    assert train.calls[0].maps_dir == 'maps/3'
    assert train.calls[1].work_dir == str(tmp_path / 'iter_2')
    first, second = prompts_sent(fake)
    assert '## Iteration History\nNo iterations yet' in first
    assert ('### Iteration 1\nPrompts: ["person", "ball", "net"]\n\n'
            'Overall Accuracy: 30.000%') in second
    assert 'volleyball serve: 15.00%' in second
    with open(tmp_path / 'history.json') as f:
        history = json.load(f)
    assert [e['status'] for e in history['iterations']] == ['done', 'done']
    assert history['iterations'][0]['accuracy'] == pytest.approx(0.3)
    # ties keep the first best (Algorithm 1: r_t > r_best)
    assert best['iteration'] == 1 and history['best'] == best
    with open(best['weights']) as f:
        assert f.read() == 'person,ball,net'
    with open(tmp_path / 'best' / 'best.json') as f:
        assert json.load(f)['classes'] == ['person', 'ball', 'net']


def test_bad_replies_are_retried_then_skipped(fake, tmp_path):
    fake.replies = [
        '1. person\n2. ball',
        'person\nball',  # iteration 1: retried
        'Sure! Here is my improved prompt set for you:',
        'I would focus on the arms and legs of the athlete here.',
        'hand\nfoot'
    ]
    train = FakeTrain()
    agent = ICRLAgent(
        client(fake, retries=1), TARGETS, str(tmp_path), train, iterations=3)
    agent.run()
    entries = agent.history.iterations
    assert [e['status'] for e in entries] == ['done', 'skipped', 'done']
    assert 'ICRL iteration 2' in entries[1]['error']
    assert entries[1]['reply'].startswith('I would focus')
    assert [r.classes for r in train.calls] == [['person', 'ball'],
                                                ['hand', 'foot']]
    # the skipped iteration is not shown to the LLM
    assert '### Iteration 2' not in prompts_sent(fake)[-1]


def test_interrupted_training_resumes_without_asking_again(fake, tmp_path):
    fake.replies = ['person\nball', 'person\nnet']
    train = FakeTrain(fail_at=2, error=KeyboardInterrupt)
    agent = ICRLAgent(
        client(fake), TARGETS, str(tmp_path), train, iterations=2)
    with pytest.raises(KeyboardInterrupt):
        agent.run()
    with open(tmp_path / 'history.json') as f:
        saved = json.load(f)['iterations']
    assert [e['status'] for e in saved] == ['done', 'proposed']
    asked = len(fake.requests)
    again = FakeTrain()
    ICRLAgent(client(fake), TARGETS, str(tmp_path), again, iterations=2).run()
    assert len(fake.requests) == asked
    assert [r.classes for r in again.calls] == [['person', 'net']]


def test_failed_training_names_the_iteration(fake, tmp_path):
    fake.replies = ['person\nball']
    agent = ICRLAgent(
        client(fake),
        TARGETS,
        str(tmp_path),
        FakeTrain(fail_at=1),
        iterations=1)
    with pytest.raises(
            ICRLError, match=r"iteration 1 .*out of memory.*"
            'history.json'):
        agent.run()
    assert 'out of memory' in agent.history.iterations[0]['last_error']
    with pytest.raises(BadInputError, match='max_classes=15.*4'):
        ICRLAgent(
            client(fake), TARGETS, str(tmp_path), FakeTrain(), max_classes=4)


def test_static_pool_and_injected_history(fake, tmp_path):
    fake.replies = ['person\nball', 'person\nnet']
    ICRLAgent(
        client(fake),
        TARGETS,
        str(tmp_path / 'static'),
        FakeTrain(),
        iterations=2,
        mode='static').run()
    assert all('Iteration History' not in p for p in prompts_sent(fake))

    fake.requests.clear()
    fake.replies = [
        'person\nball\nnet\nhoop\nfloor', 'person\nball\n\nnet\nfloor\n\nhoop'
    ]
    train = FakeTrain()
    pool = ICRLAgent(
        client(fake),
        TARGETS,
        str(tmp_path / 'pool'),
        train,
        iterations=2,
        mode='pool')
    pool.run()
    assert len(fake.requests) == 2
    assert [r.classes for r in train.calls] == [['person', 'ball'],
                                                ['net', 'floor']]
    with pytest.raises(ICRLError, match='holds 2 sets.*iteration 3'):
        ICRLAgent(client(fake), TARGETS, str(tmp_path / 'pool'), train,
                  iterations=3, mode='pool').run()

    fake.requests.clear()
    fake.replies = ['hand\nfoot']
    injected = load_injected_history(
        str(tmp_path / 'static' / 'history.json'), 'Kinetics-400')
    ICRLAgent(
        client(fake),
        TARGETS,
        str(tmp_path / 'ood'),
        FakeTrain(),
        iterations=1,
        injected_history=injected).run()
    assert '### Iteration 1 (from Kinetics-400)\nPrompts: ["person", ' \
        '"ball"]' in prompts_sent(fake)[0]


def test_apply_object_classes():
    cfg = dict(
        model=dict(adapter=dict(num_maps=1), backbone=dict(in_channels=4)),
        train_dataloader=dict(
            dataset=dict(pipeline=[
                dict(type='DecordDecode'),
                dict(type='LoadLikelihoodMaps', classes=['a'], maps_dir='old')
            ])),
        val_dataloader=dict(
            dataset=dict(pipeline=[
                dict(
                    type='LoadLikelihoodMaps',
                    classes=['a'],
                    detector=dict(type='owlv2', weights='w'))
            ])))
    apply_object_classes(cfg, ['x', 'y'], 'new')
    train = cfg['train_dataloader']['dataset']['pipeline'][1]
    val = cfg['val_dataloader']['dataset']['pipeline'][0]
    assert train['classes'] == ['x', 'y'] and train['maps_dir'] == 'new'
    assert val['classes'] == ['x', 'y'] and 'maps_dir' not in val
    assert cfg['model']['adapter']['num_maps'] == 2
    apply_object_classes(cfg, ['x', 'y', 'z'], 'new',
                         ['model.backbone.in_channels+3'])
    assert cfg['model']['backbone']['in_channels'] == 6
    with pytest.raises(BadInputError, match='no LoadLikelihoodMaps'):
        apply_object_classes(dict(model={}), ['x'], 'd')
    del cfg['model']['adapter']
    with pytest.raises(BadInputError, match='--map-count-key'):
        apply_object_classes(cfg, ['x'], 'd')


KILLED_RUN = '''
import os, sys, time
from mmaction_ext.agents import ICRLAgent, TrainResult
from mmaction_ext.text.llm_client import ChatClient
url, work_dir = sys.argv[1:3]

def train(request):
    with open(os.path.join(work_dir, 'training'), 'a') as f:
        f.write(f'{request.iteration}\\n')
    if request.iteration == 2:
        time.sleep(120)  # killed here
    return TrainResult(0.5, {'aerobic push up': 0.5}, None)

ICRLAgent(ChatClient(base_url=url, model='m', api_key=''),
          ['aerobic push up', 'volleyball serve', 'football shoot'],
          work_dir, train, iterations=3).run()
'''


def test_killed_run_resumes(fake, tmp_path):
    fake.replies = ['person\nball', 'person\nnet', 'hand\nfoot']
    script = tmp_path / 'run.py'
    script.write_text(KILLED_RUN)
    env = dict(os.environ, PYTHONPATH=os.getcwd(), NO_PROXY='127.0.0.1')
    process = subprocess.Popen(
        [sys.executable,
         str(script), fake.url(),
         str(tmp_path)], env=env)
    marker = tmp_path / 'training'
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None and not (
            marker.exists() and '2' in marker.read_text()):
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert marker.read_text().split() == ['1', '2']
    with open(tmp_path / 'history.json') as f:
        saved = json.load(f)['iterations']
    assert [e['status'] for e in saved] == ['done', 'proposed']
    train = FakeTrain()
    best = ICRLAgent(
        client(fake), TARGETS, str(tmp_path), train, iterations=3).run()
    assert [r.classes for r in train.calls] == [['person', 'net'],
                                                ['hand', 'foot']]
    assert len(fake.requests) == 3
    assert best['iteration'] == 1 and best['accuracy'] == 0.5


def test_unreachable_server_stops_without_skipping(fake, tmp_path):
    fake.replies = ['person\nball']
    fake.plan = ['ok', '500', '500']
    agent = ICRLAgent(client(fake), TARGETS, str(tmp_path), FakeTrain(),
                      iterations=3)
    with pytest.raises(ICRLError, match='ICRL iteration 2.*HTTP 500.*'
                       'history.json'):
        agent.run()
    assert [e['status'] for e in agent.history.iterations] == ['done']


def test_class_wise_accuracy_metric():
    import torch

    from mmaction_ext.evaluation import ClassWiseAccuracy
    rng = np.random.default_rng(0)
    scores = rng.random((30, 2, 4))  # two unaveraged clips per sample
    labels = rng.integers(0, 3, 30)  # class 3 has no sample
    metric = ClassWiseAccuracy(['a', 'b', 'c', 'd'], prefix='icrl')
    metric.process(None, [
        dict(pred_score=torch.from_numpy(s), gt_label=torch.tensor([y]))
        for s, y in zip(scores, labels)
    ])
    result = metric.evaluate(30)
    predicted = scores.mean(1).argmax(1)
    assert result['icrl/top1'] == pytest.approx((predicted == labels).mean())
    for index, name in enumerate('abc'):
        mask = labels == index
        assert result[f'icrl/class/{name}'] == pytest.approx(
            (predicted[mask] == index).mean())
    assert 'icrl/class/d' not in result
