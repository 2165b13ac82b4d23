"""Write GAP-style class descriptions with an LLM into a text bank.

For each label of a label file it asks GAP's three prompts (Xiang et al.,
ICCV 2023, Fig. 5): a paragraph, 10 synonyms and one description per body
part (head, hand, arm, hip, leg, foot), from any OpenAI-compatible
chat-completions endpoint. Answers that do not parse are asked again.

The bank is written after every class (atomically), and every accepted
answer goes to a cache (``<out>.cache.jsonl``), so rerunning the same
command after an interruption asks only for what is missing. An existing
``--out`` bank is extended: its text, comments included, is kept as it is,
new classes go at the end of its ``classes`` list, and the original is
copied to ``<out>.bak`` first. A file that is not a bank (or not an answer
cache, for ``--cache``) is refused and left unchanged.

Usage:
    export OPENAI_API_KEY=...        # or a local server without a key
    python tools/text/generate_descriptions.py \\
        --labels mmaction_ext/datasets/label_maps/nwucla.txt \\
        --out work_dirs/banks/nwucla_llm.yaml --model gpt-4o-mini
"""
import argparse
import os.path as osp
import sys
from typing import Optional, Sequence

from mmaction_ext.text.answer_cache import AnswerCache
from mmaction_ext.text.description_generator import (DescriptionGenerator,
                                                     generate_bank)
from mmaction_ext.text.label_file import read_labels
from mmaction_ext.text.llm_client import ChatClient, ChatClientError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument(
        '--labels',
        required=True,
        help='label file: one label a line, "#" lines are comments')
    parser.add_argument(
        '--out', required=True, help='bank YAML to write or extend')
    parser.add_argument(
        '--name', help='bank name (default: the file name of --out)')
    parser.add_argument(
        '--base-url',
        help='API root (default: $OPENAI_BASE_URL or '
        'https://api.openai.com/v1)')
    parser.add_argument(
        '--model', help='model name (default: $MMACTION_EXT_LLM_MODEL)')
    parser.add_argument(
        '--api-key',
        help='bearer key (default: $OPENAI_API_KEY, which keeps the key '
        'out of the process list)')
    parser.add_argument(
        '--temperature',
        type=float,
        default=0.1,
        help='sampling temperature (GAP: 0.1)')
    parser.add_argument(
        '--cache', help='answer cache (default: <out>.cache.jsonl)')
    parser.add_argument(
        '--retries',
        type=int,
        default=4,
        help='further attempts per prompt after a failed one')
    parser.add_argument(
        '--backoff',
        type=float,
        default=1.0,
        help='seconds before the first retry, doubled for each next one')
    parser.add_argument(
        '--timeout',
        type=float,
        default=120.0,
        help='seconds to wait for one answer')
    args = parser.parse_args(argv)
    args.cache = args.cache or f'{args.out}.cache.jsonl'
    return args


def _same_file(a: str, b: str) -> bool:
    if osp.exists(a) and osp.exists(b):
        return osp.samefile(a, b)
    return osp.abspath(a) == osp.abspath(b)


def run(args: argparse.Namespace) -> dict:
    """Generate the bank that ``args`` describe; see :func:`main`."""
    labels = read_labels(args.labels)  # before anything is created
    for other, option in ((args.out, '--out'), (args.labels, '--labels')):
        if _same_file(args.cache, other):
            raise ValueError(f'--cache {args.cache} is the {option} file; '
                             'choose another cache file')
    cache = AnswerCache(args.cache)  # refuses files that are no cache
    client = ChatClient(
        base_url=args.base_url,
        model=args.model,
        api_key=args.api_key,
        temperature=args.temperature,
        timeout=args.timeout,
        retries=args.retries,
        backoff=args.backoff,
        cache=cache)
    comment = ('Written by tools/text/generate_descriptions.py with GAP\'s '
               'prompts (ICCV 2023)\n'
               f'for the labels of {osp.basename(args.labels)}; model '
               f'{client.model}, temperature {client.temperature:g}.\n'
               'Schema: mmaction_ext/text/text_bank.py.')
    try:
        return generate_bank(
            labels,
            args.out,
            DescriptionGenerator(client),
            name=args.name,
            label_source=args.labels,
            comment=comment)
    finally:
        client.close()


def _one_line(text: str) -> str:
    return ' '.join(line.strip() for line in str(text).splitlines()
                    if line.strip())


def _resume_hint(args: argparse.Namespace) -> str:
    """Where the work done so far is; names only files that exist."""
    kept = []
    if osp.isfile(args.out):
        kept.append(f'finished classes are in {args.out}')
    if osp.isfile(args.cache):
        kept.append(f'accepted answers are in {args.cache}')
    if not kept:
        return 'no class was finished and nothing was written'
    return '; '.join(kept) + '; rerun the same command to resume'


def _summary(args: argparse.Namespace, summary: dict) -> str:
    if not summary['generated']:
        return (f'{args.out} already describes all {summary["kept"]} labels;'
                ' nothing was asked or written')
    text = (f'{args.out}: {summary["kept"]} classes kept, '
            f'{summary["generated"]} generated ({summary["asked"]} answers '
            f'asked, {summary["cached"]} from the cache)')
    if summary['backup']:
        text += f'; the previous bank is in {summary["backup"]}'
    return text


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    try:
        summary = run(args)
    except ChatClientError as exc:
        raise SystemExit(f'error: {_one_line(exc)}; {_resume_hint(args)}')
    except (ValueError, OSError) as exc:  # bad inputs: nothing was asked
        raise SystemExit(f'error: {_one_line(exc)}')
    except KeyboardInterrupt:
        raise SystemExit(f'interrupted; {_resume_hint(args)}')
    print(_summary(args, summary))


if __name__ == '__main__':
    main(sys.argv[1:])
