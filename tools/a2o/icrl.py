"""A2O's in-context RL over object classes (Sekii and Sato, Algorithm 1).

Each of T iterations asks an LLM (any OpenAI-compatible endpoint) for an
object set given the task and the history of earlier sets with their
overall and class-wise validation accuracies, computes the sets's
likelihood maps, trains the recognizer of ``config`` from its pretrained
weights and evaluates it on the validation split (reward = accuracy).
``<work-dir>/history.json`` is rewritten atomically after every step:
rerunning the same command after an interruption resumes where it stopped.
``<work-dir>/best/`` keeps the best set (``best.json``) and its weights.

The recognizer config must hold a ``LoadLikelihoodMaps`` transform in its
pipelines and take the number of maps as ``num_maps`` in its model (or
name the key(s) with ``--map-count-key``).

Usage:
    export OPENAI_API_KEY=...
    python tools/a2o/icrl.py configs/a2o/<config>.py \\
        --work-dir work_dirs/icrl_ms --target-classes-file classes.txt \\
        --videos data/ms/train.txt data/ms/val.txt \\
        --video-root data/ms/videos --weights checkpoints/owlv2 \\
        --model gpt-5 --iterations 5 --max-classes 15
"""
import argparse
import sys
from typing import Optional, Sequence

from mmengine.config import DictAction

from mmaction_ext.agents import (MODES, DetectorMapsStep, ICRLAgent,
                                 RunnerTrainStep, load_injected_history)
from mmaction_ext.open_vocab import BACKENDS, read_video_list
from mmaction_ext.text.label_file import read_labels
from mmaction_ext.text.llm_client import ChatClient
from mmaction_ext.utils import run_tool
from mmaction_ext.utils.errors import BadInputError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='recognizer training config')
    parser.add_argument('--work-dir', required=True)
    parser.add_argument(
        '--target-classes-file',
        required=True,
        help='action names by label index, one a line')
    parser.add_argument('--iterations', type=int, default=5, help='T')
    parser.add_argument('--max-classes', type=int, default=15, help='C_max')
    parser.add_argument(
        '--mode',
        choices=MODES,
        default='icrl',
        help='icrl, or the baselines static (no history) and pool')
    parser.add_argument(
        '--inject-history', help='another run\'s history.json to show first')
    parser.add_argument('--inject-name', help='its dataset name')
    parser.add_argument('--dataset', help='this run\'s dataset name')
    llm = parser.add_argument_group('LLM')
    llm.add_argument('--base-url', help='default: $OPENAI_BASE_URL')
    llm.add_argument('--model', help='default: $MMACTION_EXT_LLM_MODEL')
    llm.add_argument('--api-key', help='default: $OPENAI_API_KEY')
    llm.add_argument('--temperature', type=float, default=1.0)
    llm.add_argument(
        '--retries', type=int, default=3, help='per reply, then skipped')
    maps = parser.add_argument_group('likelihood maps')
    maps.add_argument('--backend', default='owlv2', choices=sorted(BACKENDS))
    maps.add_argument('--weights', help='detector weights folder')
    maps.add_argument('--score-thr', type=float)
    maps.add_argument('--every', type=int, default=1)
    maps.add_argument(
        '--segmenter-weights',
        help='SAM weights folder: mask maps instead of box maps')
    maps.add_argument('--videos', nargs='+', help='train and val lists')
    maps.add_argument('--video-root')
    maps.add_argument(
        '--maps-root', help='maps cache (default: <work-dir>/maps)')
    maps.add_argument(
        '--on-the-fly',
        action='store_true',
        help='the config computes maps in its pipeline; no precompute')
    parser.add_argument(
        '--map-count-key',
        action='append',
        default=[],
        help='config key taking the number of maps K, "+N" for K + N')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def maps_step(args: argparse.Namespace):
    if args.on_the_fly:
        if args.segmenter_weights:
            raise BadInputError(
                '--segmenter-weights is for precomputed maps; with '
                '--on-the-fly give the config\'s LoadLikelihoodMaps a '
                '`segmenter`')
        return None
    if not (args.videos and args.video_root and args.weights):
        raise FileNotFoundError(
            '--videos, --video-root and --weights are needed to compute '
            'maps (or pass --on-the-fly)')
    videos = []
    for path in args.videos:
        videos += read_video_list(path)
    detector = dict(type=args.backend, weights=args.weights)
    if args.score_thr is not None:
        detector.update(score_thr=args.score_thr)
    segmenter = dict(type='sam', weights=args.segmenter_weights) \
        if args.segmenter_weights else None
    return DetectorMapsStep(
        detector,
        list(dict.fromkeys(videos)),
        args.video_root,
        args.maps_root or f'{args.work_dir}/maps',
        args.every,
        segmenter=segmenter)


def detector_name(args: argparse.Namespace) -> str:
    """The detector named in the prompt (the paper's "Grounded SAM2")."""
    name = dict(owlv2='OWLv2').get(args.backend, 'Grounding DINO')
    if args.segmenter_weights:
        name += ' + SAM'
    return name


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    targets = read_labels(args.target_classes_file)
    client = ChatClient(
        base_url=args.base_url,
        model=args.model,
        api_key=args.api_key,
        retries=args.retries)
    injected = load_injected_history(args.inject_history, args.inject_name) \
        if args.inject_history else None
    agent = ICRLAgent(
        client,
        targets,
        args.work_dir,
        RunnerTrainStep(args.config, targets, args.map_count_key,
                        args.cfg_options, args.seed),
        maps_step(args),
        iterations=args.iterations,
        max_classes=args.max_classes,
        mode=args.mode,
        injected_history=injected,
        detector_name=detector_name(args),
        temperature=args.temperature,
        settings=dict(config=args.config, dataset=args.dataset))
    best = agent.run()
    for entry in agent.history.iterations:
        result = f'{100 * entry["accuracy"]:.2f}%' \
            if entry['status'] == 'done' else entry['status']
        print(f'iteration {entry["iteration"]}: {result} '
              f'{entry.get("classes", "")}')
    if best:
        print(f'best: iteration {best["iteration"]}, '
              f'{100 * best["accuracy"]:.2f}%, {best["classes"]}')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main()))
