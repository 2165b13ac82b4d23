"""A2O's ICRL prompt (Sekii and Sato, Listing 2) and its reply parser.

The LLM agent gets the generation task (the framework, the output format
and the classification target set) and the iteration history: each earlier
object set with its overall and class-wise validation accuracy. It answers
with the next object set, one atomic visual concept a line. The parser
holds the reply to that format: numbering, bullets, headers, prose and
compound phrases are rejected with the reason (so the question is asked
again); duplicates are dropped (case-insensitive) and the set is cut to
``C_max`` (Algorithm 1, line 6).
"""
import json
import re
from typing import Dict, List, Optional, Sequence

from .answer_text import fold, is_quoted

DEFAULT_DETECTOR = 'OWLv2'

# Listing 2 with the PDF's line wrapping undone; "{detector}" stands where
# the paper names its detector (Grounded SAM2).
INTRO = ('You are an adaptive reasoning agent collaborating on the framework. '
         'Using the class label set and the iteration history, propose '
         'improved prompts to enhance classification performance.\n'
         'Your primary goal is to analyze the iteration history to identify '
         'weaknesses and propose optimized prompt sets that directly improve '
         'overall and class-wise classification accuracy. Focus on '
         'data-driven adjustments that lead to measurable accuracy gains.\n'
         'In each new round, adjust gradually with a few edits, avoiding '
         'large jumps to prevent training complexity.')

FORMAT = ('## Output Format Instructions\n'
          'CRITICAL: Output prompts as a plain text list, one per line, '
          'following these rules STRICTLY:\n'
          '- Each line = one single, atomic visual concept (short noun/noun '
          'phrase)\n'
          '- NO headers, titles, numbering, or explanations\n'
          '- Do not include any other text before or after the list\n\n'
          'Note: open-vocabulary object detector uses {detector}. Keep '
          'prompts simple and atomic (single concept; avoid commas, slashes, '
          'logic words, or compound phrases), as complex prompts are not '
          'reliably recognized.')

INSTRUCTIONS = ('## Instructions\n'
                '* Diagnose likely causes of low accuracy (e.g., missing '
                'contextual cues, insufficient body-part/object coverage, '
                'ambiguous wording).\n'
                '* Design prompts that better capture discriminative evidence '
                'for underperforming classes while keeping the vocabulary '
                'concise and generalizable.\n'
                '* Prefer compact, single-concept phrases suitable for '
                'open-vocabulary object detector ({detector}-friendly).\n'
                '* Prompt Count Policy (soft guidance): expand cautiously and '
                'incrementally; prefer swapping out weak cues over adding '
                'many new ones at once.')

FRAMEWORK = ('## Framework\n'
             'We propose an agent that turns commonsense into adaptive '
             'feature redesign for action recognition. For each action, a '
             'language model proposes a set of evidence-bearing entities '
             '(objects, targets, body parts). These cues are localized in '
             'video via a text-conditioned open-vocabulary object detector '
             '({detector}), yielding spatio-temporal regions that guide '
             'representation. The agent then rewires the extractor on the '
             'fly via region-conditioned routing/adapters to emphasize '
             'actor-object interactions and suppress background bias. '
             'Learning proceeds in a closed loop: class-level rewards from '
             'recognition performance and attribution consistency drive '
             'in-context reinforcement learning over the textual cues, '
             'implemented as iterative prompt edits without updating the '
             "language model's weights, followed by renewed localization and "
             'feature updates. Thus, prompts, detections, and features '
             'co-evolve as a single trainable pipeline.')

_NUMBERED = re.compile(r'^\(?\d{1,3}\s*[.):]\s*')
_BULLET = re.compile(r'^[-*+\u2022\u00b7]\s+')
_COMPOUND = re.compile(r'[,/;|&]')
_FENCE = re.compile(r'^```\w*$')


def format_history(history: Sequence[Dict]) -> str:
    """``### Iteration t`` blocks of Listing 2.

    Args:
        history (list[dict]): Entries with ``classes`` (object set),
            ``accuracy`` (overall, in [0, 1]), ``class_accuracy`` (action
            name -> accuracy in [0, 1]) and optionally ``source`` (a note
            such as "from Kinetics-400" for an injected history).
    """
    blocks = []
    for number, entry in enumerate(history, 1):
        title = f'### Iteration {number}'
        if entry.get('source'):
            title += f' ({entry["source"]})'
        lines = [
            title, f'Prompts: {json.dumps(list(entry["classes"]))}', '',
            f'Overall Accuracy: {100 * entry["accuracy"]:.3f}%', '',
            'Class-wise Accuracy:'
        ]
        lines += [
            f'{name}: {100 * value:.2f}%'
            for name, value in entry.get('class_accuracy', {}).items()
        ]
        blocks.append('\n'.join(lines))
    return '\n\n'.join(blocks)


def icrl_prompt(target_classes: Sequence[str],
                history: Optional[Sequence[Dict]] = None,
                detector: str = DEFAULT_DETECTOR) -> str:
    """The prompt of one ICRL iteration (Listing 2).

    Args:
        target_classes (list[str]): The action classes to recognise.
        history (list[dict], optional): Earlier iterations, see
            :func:`format_history`; None (the static-prompt baseline)
            leaves the history section out.
        detector (str): The detector named to the LLM. Defaults to
            'OWLv2'.
    """
    parts = [
        INTRO,
        FORMAT.format(detector=detector),
        INSTRUCTIONS.format(detector=detector),
        FRAMEWORK.format(detector=detector),
        '## Classification Target Set\n' + json.dumps(list(target_classes))
    ]
    if history is not None:
        parts.append('## Iteration History\n' +
                     (format_history(history) or 'No iterations yet: '
                      'propose the first prompt set.'))
    return '\n\n'.join(parts)


def pool_objects_prompt(target_classes: Sequence[str],
                        detector: str = DEFAULT_DETECTOR) -> str:
    """Prompt-pool baseline, step 1: enumerate relevant objects."""
    return '\n\n'.join([
        'List the objects, body parts and scene elements that are relevant '
        'to recognising the following actions in videos.',
        FORMAT.format(detector=detector),
        '## Classification Target Set\n' + json.dumps(list(target_classes))
    ])


def pool_sets_prompt(objects: Sequence[str],
                     num_sets: int,
                     max_size: int,
                     detector: str = DEFAULT_DETECTOR) -> str:
    """Prompt-pool baseline, step 2: ``num_sets`` plausible combinations."""
    return '\n\n'.join([
        f'From the objects below, propose {num_sets} plausible sets of at '
        f'most {max_size} objects each for an open-vocabulary object '
        f'detector ({detector}) that helps recognise the actions.',
        'Output the sets separated by one empty line, one object per line, '
        'with no headers, numbering or other text.',
        '## Objects\n' + json.dumps(list(objects))
    ])


def _reply_lines(reply: str) -> List[str]:
    text = reply.strip()
    if not text:
        raise ValueError('the reply is empty')
    if text.startswith('['):  # a JSON list is unambiguous, take it
        try:
            items = json.loads(text)
        except ValueError:
            items = None
        if isinstance(items, list) and all(isinstance(i, str) for i in items):
            return items
    return [
        line.strip() for line in text.splitlines()
        if line.strip() and not _FENCE.match(line.strip())
    ]


def check_item(line: str, max_words: int = 5) -> str:
    """One object class of a reply line; ValueError says what is wrong."""
    if _NUMBERED.match(line) or _BULLET.match(line):
        raise ValueError(f'{line!r} is numbered or bulleted; the format '
                         'asks for plain lines')
    if line.startswith('#') or line.endswith(':'):
        raise ValueError(f'{line!r} is a header, not an object')
    if is_quoted(line):
        line = line[1:-1].strip()
    if _COMPOUND.search(line):
        raise ValueError(f'{line!r} is a compound phrase (comma, slash, ...)'
                         '; one concept per line')
    if len(line.split()) > max_words or line.endswith(('.', '!', '?')):
        raise ValueError(f'{line!r} reads as prose, not a short noun phrase')
    if not line:
        raise ValueError('a line is empty quotes')
    return ' '.join(line.split())


def parse_object_set(reply: str,
                     max_classes: Optional[int] = None,
                     max_words: int = 5) -> List[str]:
    """The object set of an LLM reply.

    Args:
        reply (str): One object class a line (or a JSON list of strings).
        max_classes (int, optional): ``C_max``; later classes are cut.
        max_words (int): Longer lines count as prose. Defaults to 5.

    Returns:
        list[str]: Distinct classes (case-insensitive), in reply order.

    Raises:
        ValueError: For an empty reply, numbering, bullets, headers,
            prose or compound phrases.
    """
    classes, seen = [], set()
    for line in _reply_lines(reply):
        item = check_item(line, max_words)
        if fold(item) not in seen:
            seen.add(fold(item))
            classes.append(item)
    if not classes:
        raise ValueError('the reply names no object class')
    return classes[:max_classes] if max_classes else classes


def parse_object_sets(reply: str, num_sets: int,
                      max_classes: int) -> List[List[str]]:
    """``num_sets`` object sets separated by empty lines (prompt pool)."""
    blocks = [b for b in re.split(r'\n\s*\n', reply.strip()) if b.strip()]
    if len(blocks) < num_sets:
        raise ValueError(f'{len(blocks)} set(s) in the reply, '
                         f'{num_sets} asked for')
    return [parse_object_set(b, max_classes) for b in blocks[:num_sets]]
