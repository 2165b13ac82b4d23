"""Class descriptions written by an LLM, as a text bank.

The pieces, each in its own module:

- what to ask and how answers parse, per method:
  :mod:`mmaction_ext.text.prompts` (GAP's three questions in ``gap.py``);
- the chat client (retries, validation, images, conversations) and its
  JSON-lines answer cache: :mod:`~mmaction_ext.text.llm_client`,
  :mod:`~mmaction_ext.text.answer_cache`;
- the bank file (atomic, comment-keeping, with a backup):
  :mod:`~mmaction_ext.text.bank_writer`.

:func:`generate_bank` composes them: it asks a method's questions about
every label not yet in the bank and writes the bank after each class.
"""
from typing import Callable, Dict, Optional, Sequence

from .bank_writer import BankWriter
from .label_file import check_labels
from .llm_client import ChatClient
from .prompts import GAPQuestions
from .text_bank import TextBank


class DescriptionGenerator:
    """Asks a method's questions about a class and parses the answers.

    Args:
        client (ChatClient): The LLM endpoint (with its answer cache, if
            any: cached answers are not asked again).
        questions (optional): The method's questions, an object with
            ``parts`` and ``questions(label)`` such as
            :class:`~mmaction_ext.text.prompts.GAPQuestions` (the default).
    """

    def __init__(self, client: ChatClient, questions=None) -> None:
        self.client = client
        self.questions = GAPQuestions() if questions is None else questions

    @property
    def parts(self):
        """Body parts the bank entries describe."""
        return self.questions.parts

    @property
    def asked(self) -> int:
        """Answers that came from the LLM so far."""
        return self.client.asked

    @property
    def cached(self) -> int:
        """Answers that came from the cache so far."""
        return self.client.cached

    def describe(self, label: str) -> Dict:
        """A bank class entry (without ``index``) for ``label``."""
        entry = dict(label=label)
        for question in self.questions.questions(label):
            answer = self.client.chat(
                question.messages, validate=question.parse, what=question.what)
            entry[question.field] = question.parse(answer)
        return entry


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
    one, so an interruption loses at most the class in progress. A bank
    that already describes every label is left untouched.

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
        ``cached`` answer counts, and ``backup``, the copy of the original
        bank (None if there was none to change).
    """
    check_labels(labels, label_source)
    writer = BankWriter(out, labels, generator.parts, name, label_source,
                        comment)
    for index in range(writer.num_existing, len(labels)):
        asked, cached = generator.asked, generator.cached
        writer.add(generator.describe(labels[index]))
        log(f'[{index + 1}/{len(labels)}] {labels[index]!r}: '
            f'{generator.asked - asked} asked, '
            f'{generator.cached - cached} from the cache')
    if writer.written:
        TextBank(out, required_parts=generator.parts).check_labels(labels)
    return dict(
        kept=writer.num_existing,
        generated=len(labels) - writer.num_existing,
        asked=generator.asked,
        cached=generator.cached,
        backup=writer.backup)
