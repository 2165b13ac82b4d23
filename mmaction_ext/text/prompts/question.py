"""One question a method asks an LLM about a class, with its parser."""
from dataclasses import dataclass
from typing import Any, Callable, Dict, List


@dataclass(frozen=True)
class Question:
    """A request whose parsed answer fills one field of a bank entry.

    Args:
        field (str): Key of the bank entry the parsed answer goes to.
        what (str): Names the question in messages, e.g.
            ``"synonyms of class 'jump'"``.
        messages (list[dict]): Chat messages to send (OpenAI format; see
            :func:`~mmaction_ext.text.chat_messages.user_message`).
        parse (Callable[[str], Any]): Turns the answer into the field's
            value; raises ``ValueError`` to have the question asked again.
    """
    field: str
    what: str
    messages: List[Dict]
    parse: Callable[[str], Any]
