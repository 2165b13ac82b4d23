"""Accepted LLM answers in a JSON-lines file, so reruns ask only once.

Each line is one record::

    {"model": ..., "temperature": ..., "messages": [...], "answer": ...}

keyed by model, temperature and the full message list (images by their
SHA-256, see :func:`~mmaction_ext.text.chat_messages.message_key`). Records
with a ``"prompt"`` instead of ``"messages"`` (one user message) are read
too. Records are appended and fsynced one by one; a rerun after a kill
finds every answer accepted before it.
"""
import json
import os
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple, Union

from .chat_messages import canonical_messages, message_key, user_message

Messages = Union[str, Sequence[Dict]]  # str: one user message

# Every record starts so; a killed append leaves a prefix of one.
_RECORD_START = b'{"model": '


class AnswerCacheError(ValueError):
    """The file is not an answer cache (and is left as it is)."""


def _as_messages(messages: Messages):
    return [user_message(messages)] if isinstance(messages,
                                                  str) else list(messages)


def _record_key(record) -> Tuple:
    if not isinstance(record, dict) or 'answer' not in record:
        raise KeyError('answer')
    messages = record['messages'] if 'messages' in record else \
        _as_messages(record['prompt'])
    return (str(record['model']), float(record['temperature']),
            message_key(messages))


def _cut_short(line: bytes, last: bool) -> bool:
    """Whether ``line`` is a record whose append was interrupted."""
    return last and not line.endswith(b'\n') and (
        line.startswith(_RECORD_START) or _RECORD_START.startswith(line))


class AnswerCache:
    """Accepted raw answers in a JSON-lines file.

    A file that is not an answer cache (any line that is not a record,
    other than a last line cut short by an interruption) is refused with
    :class:`AnswerCacheError` and never written to. A cut-short last line
    is dropped on the next append.

    Args:
        path (str): The cache file; created on the first answer.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._answers: Dict[Tuple, str] = {}
        self._cut_at: Optional[int] = None  # offset of a cut-short line
        self._ends_open = False  # last line complete but without '\n'
        if osp.exists(path):
            self._load()

    def _load(self) -> None:
        with open(self.path, 'rb') as f:
            data = f.read()
        offset = 0
        for number, line in enumerate(data.splitlines(keepends=True), 1):
            last = offset + len(line) == len(data)
            if line.strip():
                try:
                    record = json.loads(line.decode('utf-8'))
                    self._answers[_record_key(record)] = str(record['answer'])
                    self._ends_open = last and not line.endswith(b'\n')
                except (ValueError, KeyError, TypeError):
                    if not _cut_short(line, last):
                        raise AnswerCacheError(
                            f'{self.path}:{number}: not an answer cache '
                            'record; the file was left unchanged (choose '
                            'another cache file)') from None
                    self._cut_at = offset
            offset += len(line)

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, model: str, temperature: float,
            messages: Messages) -> Optional[str]:
        """The cached answer to ``messages`` (or a prompt), or None."""
        key = (model, float(temperature), message_key(_as_messages(messages)))
        return self._answers.get(key)

    def put(self, model: str, temperature: float, messages: Messages,
            answer: str) -> None:
        """Remember an answer (appended to the file at once)."""
        messages = canonical_messages(_as_messages(messages))
        record = dict(
            model=model,
            temperature=float(temperature),
            messages=messages,
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
        self._answers[(model, float(temperature),
                       message_key(messages))] = answer
