"""Clean-up of LLM answers shared by the methods' answer parsers.

Models answer the same question in many shapes: with an ``A:`` prefix,
numbered or bulleted lists, markdown bold, quotes around items. These
helpers reduce an answer to its items so that each method's parser only
checks what it needs (counts, part names, lengths).
"""
import re
from typing import Iterator, Optional, Pattern, Sequence

_ANSWER_PREFIX = re.compile(r'^\s*(?:a|answer)\s*:\s*', re.IGNORECASE)
_BULLET = re.compile(r'^(?:\(?\d{1,2}[.):]|[-*\u2022\u00b7])\s*')
_QUOTES = '"\'`\u201c\u201d\u2018\u2019'
_QUOTE_PAIRS = {
    '"': '"',
    "'": "'",
    '`': '`',
    '\u201c': '\u201d',
    '\u2018': '\u2019'
}
_APOSTROPHE = re.compile(r"(?<=\w)['\u2019](?=\w)")
_CONJUNCTION = re.compile(r'^(?:and|or)\s+', re.IGNORECASE)


def strip_answer_prefix(answer: str) -> str:
    """The answer without surrounding space and an ``A:`` prefix."""
    return _ANSWER_PREFIX.sub('', answer.strip(), count=1)


def clean_item(text: str) -> str:
    """Remove list numbering, bullets, markdown bold, quotes, end marks."""
    text = text.replace('**', '')
    previous = None
    while text != previous:  # e.g. '1. "sip water".' needs several passes
        previous = text
        text = _BULLET.sub('', text.strip()).rstrip('.;,').strip()
        if is_quoted(text):
            text = text[1:-1].strip()
    return text


def is_quoted(text: str) -> bool:
    """Whether one pair of quotes wraps all of ``text``.

    Not for 'a "b"' or '"a" and "b"'; apostrophes inside words, as in
    "person's", are no quotes.
    """
    if len(text) < 2 or _QUOTE_PAIRS.get(text[0]) != text[-1]:
        return False
    inner = _APOSTROPHE.sub('', text[1:-1])
    return not any(q in inner for q in _QUOTES)


def fold(text: str) -> str:
    """``text`` with collapsed whitespace, for case-insensitive matching."""
    return ' '.join(text.split()).casefold()


def list_items(lines: Sequence[str],
               skip: Optional[Pattern] = None) -> Iterator[str]:
    """Cleaned items of comma-, semicolon- or line-separated lists.

    Args:
        lines (Sequence[str]): The answer's lines.
        skip (Pattern, optional): Items it matches are remarks, not items
            (e.g. 'These synonyms vary by context').

    Yields:
        str: Non-empty items without a leading "and" / "or".
    """
    for line in lines:
        for piece in re.split(r'[,;]', line):
            item = _CONJUNCTION.sub('', clean_item(piece))
            if item and not (skip is not None and skip.search(item)):
                yield item


def split_clauses(text: str, separators: str) -> list:
    """Cleaned non-empty pieces of ``text`` split at ``separators``."""
    return [c for c in map(clean_item, re.split(separators, text)) if c]
