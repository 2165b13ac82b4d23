"""CLIP tokens per GAP prompt type of text banks, and their shared part lines.

For every bank, prints the mean number of CLIP tokens (start and end tokens
included, as the text tower sees them) of each prompt type GAP builds with
:class:`mmaction_ext.text.GAPPromptBuilder`: one prompt per part of the
partition (``head``, ``hand+arm``, ``hip``, ``leg+foot`` for the 4-part
ones: the label joined with the part descriptions) and ``synonym`` (every
name a sample's class prompt is drawn from: the label, or ``prompt_label``,
and each synonym). It also prints the share of part lines (one description
of one body part of one class) whose exact text occurs in more than one
class: a measure of how specific the descriptions are.

Example::

    python tools/gap/bank_token_stats.py ntu120 nwucla my_bank.yaml
"""
import argparse
import os.path as osp
import sys
from collections import defaultdict
from typing import Callable, Dict, List, Optional, Sequence, Tuple

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from mmaction_ext.models.utils import build_partition  # noqa: E402
from mmaction_ext.text import clip_tokenizer  # noqa: E402
from mmaction_ext.text import GAPPromptBuilder, TextBank  # noqa: E402
from mmaction_ext.utils import run_tool  # noqa: E402

SYNONYM = 'synonym'


def clip_token_counter(
        tokenizer_path: Optional[str] = None) -> Callable[[str], int]:
    """Tokens CLIP's text tower gets for a text, start and end included."""
    tokenizer = clip_tokenizer.build_clip_tokenizer(tokenizer_path)

    def count(text: str) -> int:
        return len(tokenizer(clip_tokenizer.clean_text(text))['input_ids'])

    return count


def prompt_types(parts: Sequence[Dict]) -> List[str]:
    """Names of the prompt types, e.g. ``['hand+arm', ...] + synonym``."""
    return ['+'.join(part['texts']) for part in parts] + [SYNONYM]


def tokens_per_prompt_type(bank: TextBank,
                           parts: Sequence[Dict],
                           count: Callable[[str], int],
                           style: str = 'official') -> Dict[str, float]:
    """Mean tokens of each prompt type over the classes of ``bank``.

    Args:
        bank (TextBank): Class descriptions.
        parts (Sequence[dict]): A partition (see ``build_partition``).
        count (callable): Tokens of one text.
        style (str): Prompt style of ``GAPPromptBuilder``.

    Returns:
        dict: Prompt type -> mean tokens per prompt.
    """
    builder = GAPPromptBuilder(bank, parts, style)
    stats = {}
    for k, name in enumerate(prompt_types(parts)[:-1]):
        prompts = [prompts[k] for prompts in builder.part_prompts]
        stats[name] = sum(map(count, prompts)) / len(prompts)
    names = [name for names in builder.names for name in names]
    stats[SYNONYM] = sum(map(count, names)) / len(names)
    return stats


def shared_part_lines(bank: TextBank) -> Tuple[int, int]:
    """Part lines whose exact text occurs in another class, and all lines.

    Returns:
        tuple[int, int]: Shared lines, all part lines (classes x parts).
    """
    owners = defaultdict(set)
    lines = [(index, bank.part(index, part)) for index in range(len(bank))
             for part in bank.parts]
    for index, text in lines:
        owners[text].add(index)
    shared = sum(1 for _, text in lines if len(owners[text]) > 1)
    return shared, len(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'banks', nargs='+', help='bundled bank names or bank files')
    parser.add_argument(
        '--partition',
        default='ntu_joint_4',
        help='partition whose prompts are counted (default: ntu_joint_4; '
        'the 4-part NTU and NW-UCLA ones build the same prompts)')
    parser.add_argument(
        '--style',
        default='official',
        choices=['official', 'paper'],
        help='GAP prompt style (default: official, as GAPHead)')
    parser.add_argument(
        '--tokenizer',
        help='CLIP tokenizer directory or bpe_simple_vocab_16e6.txt.gz '
        '(default: the one of an installed openai-clip)')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    parts = build_partition(args.partition)
    count = clip_token_counter(args.tokenizer)
    types = prompt_types(parts)
    print('mean CLIP tokens per prompt (start and end tokens included)')
    header = ''.join(f'{name:>10}' for name in types)
    print(f'{"bank":<24}{header}  shared part lines')
    texts = sorted({text for part in parts for text in part['texts']})
    for name in args.banks:
        bank = TextBank(name, required_parts=texts)
        stats = tokens_per_prompt_type(bank, parts, count, args.style)
        shared, total = shared_part_lines(bank)
        row = ''.join(f'{stats[name]:>10.2f}' for name in types)
        print(f'{bank.key:<24}{row}  {shared}/{total} '
              f'({100 * shared / total:.1f}%)')


if __name__ == '__main__':
    sys.exit(run_tool(main))
