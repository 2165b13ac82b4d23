"""GAP's questions about an action class and the parsers of their answers.

GAP (Xiang et al., ICCV 2023, Fig. 5) asks an LLM three questions per
action class::

    Describe a person "{label}" in details.
    Suggest 10 synonyms for "{label}"
    Describing following body parts actions when "{label}": head, hand,
    arm, hip, leg, foot.

The parsers accept the shapes real models answer in and raise
``ValueError`` (with the reason) for answers that do not fit, so the
question is asked again.
"""
import re
from typing import Dict, List, Sequence

from ..chat_messages import user_message
from .answer_text import (fold, is_quoted, list_items, split_clauses,
                          strip_answer_prefix)
from .question import Question

PARTS = ('head', 'hand', 'arm', 'hip', 'leg', 'foot')
IRREGULAR_PLURALS = {'foot': 'feet'}

_SYNONYM_PREAMBLE = re.compile(r'^[^:]*\bsynonyms?\b[^:]*:', re.IGNORECASE)
_SYNONYM_WORD = re.compile(r'\bsynonyms?\b', re.IGNORECASE)
_MAX_SYNONYM_WORDS = 12


def paragraph_prompt(label: str) -> str:
    """GAP's prompt for a paragraph about the action."""
    return f'Describe a person "{label}" in details.'


def synonym_prompt(label: str) -> str:
    """GAP's prompt for synonyms of the label."""
    return f'Suggest 10 synonyms for "{label}"'


def parts_prompt(label: str, parts: Sequence[str] = PARTS) -> str:
    """GAP's prompt for one description per body part."""
    return ('Describing following body parts actions when '
            f'"{label}": {", ".join(parts)}.')


def parse_synonyms(answer: str, label: str, min_count: int = 10) -> List[str]:
    """Synonyms from a comma- or line-separated answer.

    Args:
        answer (str): The LLM's answer.
        label (str): The class label, dropped from the synonyms.
        min_count (int): Distinct synonyms required. Defaults to 10.

    Returns:
        list[str]: Distinct synonyms (case-insensitive) in answer order.
    """
    lines = strip_answer_prefix(answer).splitlines()
    if lines:  # 'Here are 10 synonyms for "x": a, b' -> 'a, b'
        lines[0] = _SYNONYM_PREAMBLE.sub('', lines[0], count=1)
    synonyms, seen = [], {fold(label)}
    for item in list_items(lines, skip=_SYNONYM_WORD):
        if len(item.split()) > _MAX_SYNONYM_WORDS:
            raise ValueError(f'{item[:60]!r}... is a sentence, not a '
                             'synonym')
        if fold(item) not in seen:
            seen.add(fold(item))
            synonyms.append(item)
    if len(synonyms) < min_count:
        raise ValueError(f'{len(synonyms)} distinct synonyms other than the '
                         f'label, need {min_count}: {synonyms}')
    return synonyms


def _part_pattern(part: str) -> str:
    forms = {part, part + 's', IRREGULAR_PLURALS.get(part, part)}
    return r'\b(?:' + '|'.join(sorted(map(re.escape, forms))) + r')\b'


def _part_clauses(answer: str, parts: Sequence[str]) -> List[str]:
    """The answer's clauses from the first one naming the first part."""
    text = strip_answer_prefix(answer)
    first = re.compile(_part_pattern(parts[0]), re.IGNORECASE)
    clauses = []
    # GAP's answers use ';' but some models use lines or sentences.
    for separators in (r'[;\n]', r'[;\n]|(?<=\.)\s+'):
        clauses = split_clauses(text, separators)
        # drop a preamble such as 'Here are the actions of the parts:'
        while clauses and (clauses[0].endswith(':')
                           or not first.search(clauses[0])):
            clauses.pop(0)
        if len(clauses) == len(parts):
            break
    return clauses


def parse_parts(answer: str, parts: Sequence[str] = PARTS) -> Dict[str, str]:
    """One description per body part from GAP's part answer.

    The answer must hold one clause per part, in ``parts`` order, each
    naming its part (plurals such as "hands" or "feet" count), e.g.
    ``head tilts forward; hand grasps the shoe; ...``. Clauses may be
    separated by ``;``, lines or sentences, and be numbered.

    Args:
        answer (str): The LLM's answer.
        parts (Sequence[str]): Part names in order.

    Returns:
        dict[str, str]: Description per part, e.g. ``{'head': 'head tilts
        forward', ...}``.
    """
    clauses = _part_clauses(answer, parts)
    if len(clauses) != len(parts):
        raise ValueError(f'{len(clauses)} part clauses, need {len(parts)} '
                         f'({", ".join(parts)}): {clauses}')
    descriptions = {}
    for part, clause in zip(parts, clauses):
        pattern = _part_pattern(part)
        if not re.search(pattern, clause, re.IGNORECASE):
            raise ValueError(f'the {part} clause {clause!r} does not name '
                             f'the {part}')
        # 'Head: tilts forward' reads as 'Head tilts forward' in prompts
        clause = re.sub(
            rf'^({pattern})\s*[:\u2013\u2014-]\s*',
            r'\1 ',
            clause,
            flags=re.IGNORECASE)
        descriptions[part] = clause
    return descriptions


def parse_paragraph(answer: str, min_words: int = 15) -> str:
    """The paragraph answer on one line, checked for length.

    Args:
        answer (str): The LLM's answer.
        min_words (int): Words required. Defaults to 15.

    Returns:
        str: The paragraph with its whitespace collapsed.
    """
    text = ' '.join(strip_answer_prefix(answer).split())
    if is_quoted(text):
        text = text[1:-1].strip()
    if len(text.split()) < min_words:
        raise ValueError(f'the paragraph has {len(text.split())} words, '
                         f'need at least {min_words}: {text!r}')
    return text


class GAPQuestions:
    """GAP's three questions per class, as bank fields.

    A bank entry gets ``synonyms`` (list), ``paragraph`` (str) and
    ``parts`` (part -> description), asked in this order.

    Args:
        parts (Sequence[str]): Body parts. Defaults to GAP's six.
        min_synonyms (int): Synonyms required per class. Defaults to 10.
        min_words (int): Words required per paragraph. Defaults to 15.
    """

    def __init__(self,
                 parts: Sequence[str] = PARTS,
                 min_synonyms: int = 10,
                 min_words: int = 15) -> None:
        self.parts = tuple(parts)
        self.min_synonyms = min_synonyms
        self.min_words = min_words

    def questions(self, label: str) -> List[Question]:
        """The questions about ``label``, in asking order."""

        def ask(field, what, prompt, parse):
            return Question(field, f'{what} of class {label!r}',
                            [user_message(prompt)], parse)

        return [
            ask('synonyms', 'synonyms', synonym_prompt(label),
                lambda a: parse_synonyms(a, label, self.min_synonyms)),
            ask('paragraph', 'paragraph', paragraph_prompt(label),
                lambda a: parse_paragraph(a, self.min_words)),
            ask('parts', 'part descriptions', parts_prompt(label, self.parts),
                lambda a: parse_parts(a, self.parts)),
        ]
