"""Class descriptions written by an LLM with GAP's prompts, as a text bank.

GAP (Xiang et al., ICCV 2023, Fig. 5) asks an LLM three questions per
action class::

    Describe a person "{label}" in details.
    Suggest 10 synonyms for "{label}"
    Describing following body parts actions when "{label}": head, hand,
    arm, hip, leg, foot.

:class:`DescriptionGenerator` asks them through a
:class:`~mmaction_ext.text.llm_client.ChatClient`, rejects answers that do
not parse (so the client asks again) and remembers every accepted answer in
an :class:`AnswerCache`. :func:`generate_bank` writes the classes into a
text bank (schema in :mod:`mmaction_ext.text.text_bank`) after each class,
atomically, extending an existing bank without touching its classes.
"""
import json
import os
import os.path as osp
import re
import tempfile
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import yaml

from .llm_client import ChatClient
from .text_bank import SCHEMA, TextBank, TextBankError

PARTS = ('head', 'hand', 'arm', 'hip', 'leg', 'foot')
IRREGULAR_PLURALS = {'foot': 'feet'}

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
_SYNONYM_PREAMBLE = re.compile(r'^[^:]*\bsynonyms?\b[^:]*:', re.IGNORECASE)
_SYNONYM_WORD = re.compile(r'\bsynonyms?\b', re.IGNORECASE)
_CONJUNCTION = re.compile(r'^(?:and|or)\s+', re.IGNORECASE)
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


def _strip_answer_prefix(answer: str) -> str:
    return _ANSWER_PREFIX.sub('', answer.strip(), count=1)


def _clean_item(text: str) -> str:
    """Remove list numbering, bullets, markdown bold, quotes, end marks."""
    text = text.replace('**', '')
    previous = None
    while text != previous:  # e.g. '1. "sip water".' needs several passes
        previous = text
        text = _BULLET.sub('', text.strip()).rstrip('.;,').strip()
        if _quoted(text):
            text = text[1:-1].strip()
    return text


def _quoted(text: str) -> bool:
    """Whether one pair of quotes wraps all of ``text``.

    Not for 'a "b"' or '"a" and "b"'; apostrophes inside words, as in
    "person's", are no quotes.
    """
    if len(text) < 2 or _QUOTE_PAIRS.get(text[0]) != text[-1]:
        return False
    inner = _APOSTROPHE.sub('', text[1:-1])
    return not any(q in inner for q in _QUOTES)


def _fold(text: str) -> str:
    return ' '.join(text.split()).casefold()


def _list_items(lines: Sequence[str]) -> Iterator[str]:
    """Cleaned items of comma-, semicolon- or line-separated lists."""
    for line in lines:
        for piece in re.split(r'[,;]', line):
            item = _CONJUNCTION.sub('', _clean_item(piece))
            # remarks such as 'These synonyms vary by context' name nothing
            if item and not _SYNONYM_WORD.search(item):
                yield item


def parse_synonyms(answer: str, label: str, min_count: int = 10) -> List[str]:
    """Synonyms from a comma- or line-separated answer.

    Args:
        answer (str): The LLM's answer.
        label (str): The class label, dropped from the synonyms.
        min_count (int): Distinct synonyms required. Defaults to 10.

    Returns:
        list[str]: Distinct synonyms (case-insensitive) in answer order.
    """
    lines = _strip_answer_prefix(answer).splitlines()
    if lines:  # 'Here are 10 synonyms for "x": a, b' -> 'a, b'
        lines[0] = _SYNONYM_PREAMBLE.sub('', lines[0], count=1)
    synonyms, seen = [], {_fold(label)}
    for item in _list_items(lines):
        if len(item.split()) > _MAX_SYNONYM_WORDS:
            raise ValueError(f'{item[:60]!r}... is a sentence, not a '
                             'synonym')
        if _fold(item) not in seen:
            seen.add(_fold(item))
            synonyms.append(item)
    if len(synonyms) < min_count:
        raise ValueError(f'{len(synonyms)} distinct synonyms other than the '
                         f'label, need {min_count}: {synonyms}')
    return synonyms


def _part_pattern(part: str) -> str:
    forms = {part, part + 's', IRREGULAR_PLURALS.get(part, part)}
    return r'\b(?:' + '|'.join(sorted(map(re.escape, forms))) + r')\b'


def _split_clauses(text: str, separators: str) -> List[str]:
    return [c for c in map(_clean_item, re.split(separators, text)) if c]


def _part_clauses(answer: str, parts: Sequence[str]) -> List[str]:
    """The answer's clauses from the first one naming the first part."""
    text = _strip_answer_prefix(answer)
    first = re.compile(_part_pattern(parts[0]), re.IGNORECASE)
    clauses = []
    # GAP's answers use ';' but some models use lines or sentences.
    for separators in (r'[;\n]', r'[;\n]|(?<=\.)\s+'):
        clauses = _split_clauses(text, separators)
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
    text = ' '.join(_strip_answer_prefix(answer).split())
    if _quoted(text):
        text = text[1:-1].strip()
    if len(text.split()) < min_words:
        raise ValueError(f'the paragraph has {len(text.split())} words, '
                         f'need at least {min_words}: {text!r}')
    return text


class AnswerCache:
    """Accepted raw answers in a JSON-lines file.

    Each line is ``{"model", "temperature", "prompt", "answer"}``; the first
    three are the key, so a rerun asks only for what is missing. A last line
    cut short by an interruption is ignored and overwritten; a corrupt line
    elsewhere is an error (the file was not written by this class alone).

    Args:
        path (str): The cache file; created on the first answer.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._answers: Dict[Tuple, str] = {}
        self._cut_at: Optional[int] = None  # offset of a truncated last line
        self._ends_open = False  # last line complete but without '\n'
        if osp.exists(path):
            self._load()

    @staticmethod
    def _key(model: str, temperature: float, prompt: str) -> Tuple:
        return model, float(temperature), prompt

    def _load(self) -> None:
        with open(self.path, 'rb') as f:
            data = f.read()
        offset = 0
        for number, line in enumerate(data.splitlines(keepends=True), 1):
            last = offset + len(line) == len(data)
            if line.strip():
                try:
                    record = json.loads(line)
                    key = self._key(record['model'], record['temperature'],
                                    record['prompt'])
                    self._answers[key] = str(record['answer'])
                    self._ends_open = last and not line.endswith(b'\n')
                except (ValueError, KeyError, TypeError):
                    if last:  # a write cut short by an interruption
                        self._cut_at = offset
                    else:
                        raise ValueError(
                            f'{self.path}:{number}: corrupt cache line; '
                            'fix or delete the file') from None
            offset += len(line)

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, model: str, temperature: float,
            prompt: str) -> Optional[str]:
        """The cached answer to ``prompt``, or None."""
        return self._answers.get(self._key(model, temperature, prompt))

    def put(self, model: str, temperature: float, prompt: str,
            answer: str) -> None:
        """Remember an answer (appended to the file at once)."""
        record = dict(
            model=model,
            temperature=float(temperature),
            prompt=prompt,
            answer=answer)
        line = json.dumps(record, ensure_ascii=False) + '\n'
        if self._cut_at is not None:
            with open(self.path, 'r+b') as f:
                f.truncate(self._cut_at)
            self._cut_at = None
        directory = osp.dirname(osp.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        with open(self.path, 'a', encoding='utf-8') as f:
            f.write(('\n' if self._ends_open else '') + line)
            f.flush()
            os.fsync(f.fileno())
        self._ends_open = False
        self._answers[self._key(model, temperature, prompt)] = answer


class DescriptionGenerator:
    """Asks GAP's three prompts per class and parses the answers.

    Args:
        client (ChatClient): The LLM endpoint.
        cache (AnswerCache, optional): Accepted answers; cached ones are not
            asked again.
        parts (Sequence[str]): Body parts. Defaults to GAP's six.
        min_synonyms (int): Synonyms required per class. Defaults to 10.
        min_words (int): Words required per paragraph. Defaults to 15.
    """

    def __init__(self,
                 client: ChatClient,
                 cache: Optional[AnswerCache] = None,
                 parts: Sequence[str] = PARTS,
                 min_synonyms: int = 10,
                 min_words: int = 15) -> None:
        self.client = client
        self.cache = cache
        self.parts = tuple(parts)
        self.min_synonyms = min_synonyms
        self.min_words = min_words
        self.asked = 0  # requests answered by the LLM (not the cache)
        self.cached = 0

    def describe(self, label: str) -> Dict:
        """A bank class entry (without ``index``) for ``label``."""
        return dict(
            label=label,
            synonyms=self._ask(
                'synonyms', label, synonym_prompt(label),
                lambda a: parse_synonyms(a, label, self.min_synonyms)),
            paragraph=self._ask('paragraph', label, paragraph_prompt(label),
                                lambda a: parse_paragraph(a, self.min_words)),
            parts=self._ask('part descriptions', label,
                            parts_prompt(label, self.parts),
                            lambda a: parse_parts(a, self.parts)))

    def _ask(self, kind: str, label: str, prompt: str, parse: Callable):
        client, cache = self.client, self.cache
        answer = None
        if cache is not None:
            answer = cache.get(client.model, client.temperature, prompt)
        if answer is not None:
            try:
                result = parse(answer)
                self.cached += 1
                return result
            except ValueError:
                pass  # accepted by a laxer parser before: ask again
        answer = client.complete(
            prompt, validate=parse, what=f'{kind} of class {label!r}')
        self.asked += 1
        if cache is not None:
            cache.put(client.model, client.temperature, prompt, answer)
        return parse(answer)


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
    styled['paragraph'] = _Folded(entry['paragraph'])
    return styled


def _list_indent(text: str) -> str:
    """The indentation of the items under a top-level ``classes:``."""
    match = re.search(r'^classes:[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*( *)- ',
                      text, re.MULTILINE)
    return match.group(1) if match else ''


def write_atomic(path: str, text: str) -> None:
    """Replace ``path`` by ``text`` so that readers never see half a file.

    Args:
        path (str): Destination file.
        text (str): Its new content.
    """
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    mode = os.stat(path).st_mode & 0o777 if osp.exists(path) else 0o644
    fd, tmp = tempfile.mkstemp(
        dir=directory, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)  # mkstemp creates 0600 files
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.unlink(tmp)
        raise


class BankWriter:
    """Adds classes to a new or existing bank file, rewriting it each time.

    The text of an existing bank is kept byte for byte and new classes are
    appended to it; if the appended text would not load back as the
    intended bank (e.g. ``classes`` is not the last key), the whole bank is
    written anew, with the same content but not the same comments.

    Args:
        path (str): The bank file.
        labels (Sequence[str]): All labels; an existing bank must hold a
            prefix of them.
        parts (Sequence[str]): Body parts of the bank.
        name (str, optional): Bank name; defaults to the existing bank's or
            the file name. Must match an existing bank's.
        label_source (str): Names the label list in messages.
        comment (str, optional): Header comment of a new bank.
    """

    def __init__(self,
                 path: str,
                 labels: Sequence[str],
                 parts: Sequence[str],
                 name: Optional[str] = None,
                 label_source: str = 'the label list',
                 comment: Optional[str] = None) -> None:
        self.path = path
        if osp.exists(path):
            self.base_text, self.data = self._load(labels, parts, name,
                                                   label_source)
        else:
            self.base_text, self.data = self._start(parts, name, comment)
        self.num_existing = len(self.data['classes'])
        self.rewritten = False

    def _load(self, labels, parts, name, label_source) -> Tuple[str, Dict]:
        try:
            bank = TextBank(self.path, required_parts=parts)
        except yaml.YAMLError as exc:
            raise TextBankError(f'{self.path}: not valid YAML: {exc}')
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

    def add(self, entry: Dict) -> None:
        """Append a class (see :meth:`DescriptionGenerator.describe`)."""
        classes = self.data['classes']
        classes.append(_styled(len(classes), entry))
        write_atomic(self.path, self._render())

    def _render(self) -> str:
        new = _dump(self.data['classes'][self.num_existing:])
        base = self.base_text
        indent = _list_indent(base)  # users may indent the list items
        new = ''.join(indent + line if line.strip() else line
                      for line in new.splitlines(keepends=True))
        text = base + ('' if base.endswith('\n') else '\n') + new
        if not self.rewritten and self._loads_as_data(text):
            return text
        self.rewritten = True
        # plain types: no folded scalars, which always load back the same
        text = _dump(json.loads(json.dumps(self.data)))
        if not self._loads_as_data(text):  # never write what we cannot read
            raise RuntimeError(f'{self.path}: the bank does not survive a '
                               'YAML round trip; please report this')
        return text

    def _loads_as_data(self, text: str) -> bool:
        try:
            return yaml.safe_load(text) == self.data
        except yaml.YAMLError:
            return False


def read_labels(path: str) -> List[str]:
    """Labels of a label file: one a line, ``#`` lines are comments.

    Blank lines are allowed only at the end; labels must be unique and
    carry no surrounding whitespace.

    Args:
        path (str): The label file, e.g. ``shared/data/labels/nwucla.txt``.

    Returns:
        list[str]: The labels in file order (= class index order).
    """
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except UnicodeDecodeError as exc:
        raise ValueError(f'{path}: not UTF-8 text ({exc})') from None
    while lines and not lines[-1].strip():
        lines.pop()
    labels, first_line = [], {}
    for number, line in enumerate(lines, 1):
        if line.startswith('#'):
            continue
        where = f'{path}:{number}'
        if not line.strip():
            raise ValueError(f'{where}: blank line between labels')
        if line != line.strip():
            raise ValueError(f'{where}: label {line!r} has leading or '
                             'trailing whitespace')
        if line in first_line:
            raise ValueError(f'{where}: label {line!r} repeats line '
                             f'{first_line[line]}')
        first_line[line] = number
        labels.append(line)
    if not labels:
        raise ValueError(f'{path}: no labels (only comments or empty)')
    return labels


def _check_labels(labels: Sequence[str], label_source: str) -> None:
    if not labels:
        raise ValueError(f'{label_source} has no labels')
    for index, label in enumerate(labels):
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f'{label_source}: label {index} is empty')
    if len(set(labels)) != len(labels):
        raise ValueError(f'{label_source} repeats a label')


def generate_bank(labels: Sequence[str],
                  out: str,
                  generator: DescriptionGenerator,
                  name: Optional[str] = None,
                  label_source: str = 'the label list',
                  comment: Optional[str] = None,
                  log: Callable[[str], None] = print) -> Dict:
    """Write (or extend) the bank ``out`` with descriptions of ``labels``.

    Classes already in ``out`` are kept as they are; the others are
    generated in order, and the bank is rewritten atomically after each
    one, so an interruption loses at most the class in progress.

    Args:
        labels (Sequence[str]): Labels in class-index order.
        out (str): The bank file.
        generator (DescriptionGenerator): Writes the descriptions.
        name (str, optional): Bank name; see :class:`BankWriter`.
        label_source (str): Names the label list in messages.
        comment (str, optional): Header comment of a new bank.
        log (Callable[[str], None]): Prints progress. Defaults to print.

    Returns:
        dict: ``kept`` and ``generated`` class counts, ``asked`` and
        ``cached`` answer counts.
    """
    _check_labels(labels, label_source)
    writer = BankWriter(out, labels, generator.parts, name, label_source,
                        comment)
    for index in range(writer.num_existing, len(labels)):
        asked, cached = generator.asked, generator.cached
        writer.add(generator.describe(labels[index]))
        log(f'[{index + 1}/{len(labels)}] {labels[index]!r}: '
            f'{generator.asked - asked} asked, '
            f'{generator.cached - cached} from the cache')
    bank = TextBank(out, required_parts=generator.parts)
    bank.check_labels(labels)
    if writer.rewritten:
        log(f'note: {out} was rewritten as a whole; its comments and '
            'layout were not kept')
    return dict(
        kept=writer.num_existing,
        generated=len(labels) - writer.num_existing,
        asked=generator.asked,
        cached=generator.cached)
