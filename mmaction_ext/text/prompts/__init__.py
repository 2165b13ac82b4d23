"""What each method asks an LLM about a class, and how answers parse.

One module per method (``gap.py``; others follow the same shape): prompt
builders, answer parsers and a ``*Questions`` class whose ``questions(label)``
lists the :class:`Question` objects that fill one bank entry.
"""
from .gap import GAPQuestions
from .question import Question

__all__ = ['GAPQuestions', 'Question']
