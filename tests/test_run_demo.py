"""tools/run_demo.py: task from the config, table from the test metrics."""
import importlib.util
import os.path as osp

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='module')
def demo():
    spec = importlib.util.spec_from_file_location(
        'run_demo', osp.join(ROOT, 'tools', 'run_demo.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_task_comes_from_the_test_evaluator(demo, tmp_path):
    tasks = {name: demo.task_of(cfg) for name, cfg in demo.EXPERIMENTS.items()}
    assert tasks == {
        'CTR-GCN': 'recognition',
        'GAP (frozen text)': 'recognition',
        'GAP (official)': 'recognition',
        'TRG-Net': 'segmentation',
        'A2O': 'recognition',
        'SAGE (PredCls)': 'relation',
        'ProDA': 'proda'
    }
    config = tmp_path / 'other.py'
    config.write_text("test_evaluator = dict(type='DumpResults')\n")
    with pytest.raises(ValueError, match='other.py'):
        demo.task_of(str(config))


def test_tables_print_the_test_metrics(demo, capsys):
    demo.print_recognition({
        'CTR-GCN':
        dict({
            'acc/top1': 145 / 192,
            'acc/top5': 189 / 192
        }, minutes=5.1)
    })
    demo.print_segmentation({
        'TRG-Net':
        dict(
            Acc=81.0,
            Edit=81.123,
            minutes=2.9,
            **{
                'F1@10': 82,
                'F1@25': 82,
                'F1@50': 80.6875
            })
    })
    rows = {
        line.split()[0]: line.split()[1:]
        for line in capsys.readouterr().out.splitlines() if line
    }
    assert rows['CTR-GCN'] == ['75.52', '98.44', '5.1']
    assert rows['TRG-Net'] == [
        '81.00', '81.12', '82.00', '82.00', '80.69', '2.9'
    ]
    demo.print_recognition({})
    assert capsys.readouterr().out == ''


def test_a2o_table_prints_sets_accuracies_and_test(demo, capsys):
    demo.print_a2o(
        dict(
            iterations=[
                dict(
                    iteration=1,
                    status='done',
                    accuracy=5 / 6,
                    classes=['person', 'bike']),
                dict(iteration=2, status='skipped', classes=None)
            ],
            best=dict(iteration=1),
            test={'acc/top1': 2 / 3},
            minutes=1.5,
            icrl_minutes=1.2,
            plot='accuracy.png'))
    lines = capsys.readouterr().out.splitlines()
    assert 'synthetic' in lines[1]
    assert lines[3].split() == ['1', '83.33', 'person,', 'bike']
    assert lines[4].split() == ['2', 'skipped']
    assert lines[5].startswith('best set (iteration 1): test top-1 66.67%')
    demo.print_a2o(None)
    assert capsys.readouterr().out == ''


def test_relation_table_prints_percent_novel_and_all(demo, capsys):
    result = {
        f'{split}/{key}': value
        for split, values in (('novel', (0.1, 0.25, 0.5)),
                              ('all', (0.0097, 0.15625, 1.)))
        for key, value in zip(('mAP', 'R@50', 'R@100'), values)
    }
    demo.print_relation({'SAGE (PredCls)': dict(result, minutes=0.9)})
    out = capsys.readouterr().out
    assert 'synthetic' in out
    row = [line for line in out.splitlines() if line.startswith('SAGE')][0]
    assert row.split()[2:] == [
        '10.00', '25.00', '50.00', '0.97', '15.62', '100.00', '0.9'
    ]
    demo.print_relation({})
    assert capsys.readouterr().out == ''


def test_scripted_teacher_answers_each_perspective(demo):
    from mmaction_ext.text.prompts.sage import parse_description
    image = {'type': 'image_url', 'image_url': {'url': 'data:,'}}
    for text, expected in (('Describe the two objects', 'two objects'),
                           ('Describe the one object', 'one object'),
                           ('Describe the scene', 'the whole scene')):
        body = {
            'messages': [{
                'role':
                'user',
                'content': [{
                    'type': 'text',
                    'text': text
                }, image, image]
            }]
        }
        answer = demo.sage_teacher_reply(body)
        assert expected in answer and 'seen in 2 frames' in answer
        assert parse_description(answer) == answer


def test_proda_table_prints_its_test_metrics(demo, capsys):
    demo.print_proda({
        'ProDA':
        dict(
            test={
                'proda/a_t_mAP': 61.234,
                'proda/a_m_mAP': 55.5
            },
            analysis={'proda/loc_mAP/clean/theta0.7/iou0.5': 12.345},
            minutes=1.52,
            figure='fig.png')
    })
    out = capsys.readouterr().out
    assert 'synthetic' in out
    row = [line for line in out.splitlines() if line.startswith('ProDA ')]
    assert row[0].split()[1:] == ['61.23', '55.50', '12.35', '1.5']
    demo.print_proda({})
    assert capsys.readouterr().out == ''
