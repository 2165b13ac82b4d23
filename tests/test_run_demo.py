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
