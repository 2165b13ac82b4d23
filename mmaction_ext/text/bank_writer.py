"""Writes generated classes into a new or existing text bank file.

An existing bank keeps its text byte for byte (comments, key order,
layout): new classes are inserted at the end of its ``classes`` block
list, and a bank where that cannot be done exactly is refused before
anything is asked or written. The file is replaced atomically after each
class, a copy of the original is kept next to it (``<bank>.bak``) before
the first change, and a bank edited by someone else meanwhile is not
overwritten.
"""
import os
import os.path as osp
import re
from typing import Dict, Optional, Sequence, Tuple

import yaml

from ..fileio.atomic_write import write_atomically
from .text_bank import SCHEMA, TextBank, TextBankError

_CLASSES_KEY = re.compile(r'classes:[ \t]*(?:#.*)?')


def write_atomic(path: str, text: str) -> None:
    """Replace ``path`` by ``text`` so that readers never see half a file.

    Args:
        path (str): Destination file.
        text (str): Its new content.
    """
    write_atomically(path, lambda f: f.write(text.encode('utf-8')))


def write_backup(path: str) -> str:
    """Copy ``path`` to a new ``<path>.bak`` (``.bak.1``, ... if taken).

    Returns:
        str: The backup's path; no existing file is overwritten.
    """
    with open(path, 'rb') as f:
        data = f.read()
    for number in range(1000):
        backup = f'{path}.bak' + (f'.{number}' if number else '')
        try:
            with open(backup, 'xb') as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            return backup
        except FileExistsError:
            continue
    raise OSError(f'{path}: no free backup name ({path}.bak.999 is taken)')


class _Folded(str):
    """Emitted as a folded block scalar (``>-``), as in bundled banks."""


class _Flow(list):
    """Emitted on one line (``[a, b]``), as in bundled banks."""


class _BankDumper(yaml.SafeDumper):
    pass


_BankDumper.add_representer(
    _Folded, lambda dumper, text: dumper.represent_scalar(
        'tag:yaml.org,2002:str', text, style='>'))
_BankDumper.add_representer(
    _Flow, lambda dumper, items: dumper.represent_sequence(
        'tag:yaml.org,2002:seq', items, flow_style=True))


def _dump(data) -> str:
    return yaml.dump(
        data,
        Dumper=_BankDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100)


def _styled(index: int, entry: Dict) -> Dict:
    """A class entry in the bundled banks' layout."""
    styled = dict(index=index)
    styled.update(entry)
    if isinstance(styled.get('paragraph'), str):
        styled['paragraph'] = _Folded(styled['paragraph'])
    return styled


def _list_indent(text: str) -> str:
    """The indentation of the items under a top-level ``classes:``."""
    match = re.search(r'^classes:[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*( *)- ',
                      text, re.MULTILINE)
    return match.group(1) if match else ''


def _classes_end(text: str) -> Optional[int]:
    """Offset just after the last item of the top-level ``classes:`` block
    list (before trailing top-level comments), or None without one."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if _CLASSES_KEY.fullmatch(line.rstrip('\r\n'))), None)
    if start is None:
        return None
    end = start + 1
    for number in range(start + 1, len(lines)):
        line = lines[number].rstrip('\r\n')
        if not line.strip() or line.startswith('#'):
            continue
        if line[0] not in ' \t-' or line.startswith('---'):
            break  # the next top-level key or document
        end = number + 1
    return sum(map(len, lines[:end]))


def _stamp(path: str) -> Tuple[int, int]:
    stat = os.stat(path)
    return stat.st_mtime_ns, stat.st_size


class BankWriter:
    """Adds classes to a new or existing bank file, rewriting it each time.

    Args:
        path (str): The bank file.
        labels (Sequence[str]): All labels; an existing bank must hold a
            prefix of them.
        parts (Sequence[str]): Body parts of the bank.
        name (str, optional): Bank name; defaults to the existing bank's or
            the file name. Must match an existing bank's.
        label_source (str): Names the label list in messages.
        comment (str, optional): Header comment of a new bank.

    Raises:
        TextBankError: If an existing bank does not fit the labels and
            parts, or new classes cannot be added without changing its
            other text.
    """

    def __init__(self,
                 path: str,
                 labels: Sequence[str],
                 parts: Sequence[str],
                 name: Optional[str] = None,
                 label_source: str = 'the label list',
                 comment: Optional[str] = None) -> None:
        self.path = path
        self.existed = osp.exists(path)
        self._stamp = _stamp(path) if self.existed else None
        if self.existed:
            self.base_text, self.data = self._load(labels, parts, name,
                                                   label_source)
        else:
            self.base_text, self.data = self._start(parts, name, comment)
        self.num_existing = len(self.data['classes'])
        self.backup: Optional[str] = None
        self.written = False
        self._insert_at = _classes_end(self.base_text)
        self._check_insertable(parts)

    def _load(self, labels, parts, name, label_source) -> Tuple[str, Dict]:
        try:
            bank = TextBank(self.path, required_parts=parts)
        except yaml.YAMLError as exc:
            reason = ' '.join(str(exc).split())
            raise TextBankError(f'{self.path}: not valid YAML: {reason}')
        if bank.parts != list(parts):
            raise TextBankError(f'{self.path}: describes parts {bank.parts}, '
                                f'this tool writes {list(parts)}')
        if name is not None and name != bank.name:
            raise TextBankError(f'{self.path}: bank name is {bank.name!r}, '
                                f'not {name!r}')
        if len(bank) > len(labels):
            raise TextBankError(
                f'{self.path}: has {len(bank)} classes but {label_source} '
                f'has only {len(labels)} labels')
        for index, (ours, theirs) in enumerate(zip(bank.labels, labels)):
            if ours != theirs:
                raise TextBankError(
                    f'{self.path}: class {index} is {ours!r} but label '
                    f'{index} of {label_source} is {theirs!r}; the bank '
                    'must describe the first labels of the list in order')
        with open(self.path, encoding='utf-8') as f:
            text = f.read()
        return text, yaml.safe_load(text)

    def _start(self, parts, name, comment) -> Tuple[str, Dict]:
        name = name or osp.splitext(osp.basename(self.path))[0]
        header = dict(schema=SCHEMA, name=name, version=1, parts=_Flow(parts))
        lines = (comment or '').splitlines()
        text = ''.join(f'# {line}'.rstrip() + '\n' for line in lines)
        text += _dump(header) + 'classes:\n'
        return text, dict(header, classes=[])

    def _check_insertable(self, parts) -> None:
        """Refuse now, before anything is asked, a bank that cannot grow."""
        probe = dict(
            label='probe',
            synonyms=['probe'],
            paragraph='probe',
            parts={part: 'probe'
                   for part in parts})
        self.data['classes'].append(_styled(self.num_existing, probe))
        try:
            self._render()
        finally:
            self.data['classes'].pop()

    def add(self, entry: Dict) -> None:
        """Append a class (a bank entry without ``index``)."""
        classes = self.data['classes']
        classes.append(_styled(len(classes), entry))
        try:
            text = self._render()
        except TextBankError:
            classes.pop()
            raise
        if self._stamp is not None and _stamp(self.path) != self._stamp:
            classes.pop()
            raise TextBankError(
                f'{self.path} changed on disk while classes were being '
                'generated; it was not overwritten (rerun to continue from '
                'its current content)')
        if self.existed and self.backup is None:
            self.backup = write_backup(self.path)
        write_atomic(self.path, text)
        self.written = True
        self._stamp = _stamp(self.path)

    def _render(self) -> str:
        if self._insert_at is None:
            raise self._refusal('it has no top-level "classes:" block list '
                                '(a "classes:" line followed by "- " items)')
        new = _dump(self.data['classes'][self.num_existing:])
        indent = _list_indent(self.base_text)  # users may indent the items
        new = ''.join(indent + line if line.strip() else line
                      for line in new.splitlines(keepends=True))
        before = self.base_text[:self._insert_at]
        after = self.base_text[self._insert_at:]
        if before and not before.endswith('\n'):
            before += '\n'
        text = before + new + after
        try:
            if yaml.safe_load(text) == self.data:
                return text
        except yaml.YAMLError:
            pass
        raise self._refusal('classes added at the end of its "classes" list '
                            'would not read back as intended')

    def _refusal(self, reason: str) -> TextBankError:
        return TextBankError(
            f'{self.path}: cannot add classes without rewriting the file, '
            f'which would lose its comments or layout: {reason}; the file '
            'was left unchanged (write to a new bank and merge by hand)')
