from typing import Dict, List, Sequence

import torch

from .text_bank import TextBank


class GAPPromptBuilder:
    """GAP's text prompts: a sampled synonym plus one prompt per body part.

    Prompt 0 of a sample is one of its class names (the label or a synonym),
    drawn anew for every sample at every iteration. Prompt k > 0 joins the
    label with the bank descriptions of part k's ``texts``, e.g.
    ``"put on a shoe, head tilts slightly forward"``. A class's optional
    ``prompt_label`` (e.g. the official GAP name of a class, in a bank made
    by ``tools/gap/import_official_descriptions.py``) stands in for its
    label in every prompt.

    Args:
        bank (TextBank): Class descriptions.
        parts (Sequence[dict]): Parts with ``name`` and ``texts``.
        style (str): ``'official'`` reproduces the official code, whose
            hand prompt lacks the comma after the label (``"<label> <hand>,
            <arm>"``); ``'paper'`` separates every piece with ", ".
    """

    def __init__(self,
                 bank: TextBank,
                 parts: Sequence[Dict],
                 style: str = 'official') -> None:
        if style not in ('official', 'paper'):
            raise ValueError(f'style must be official or paper, got {style!r}')
        self.bank = bank
        self.style = style
        self.labels = [
            cls.get('prompt_label') or cls['label'] for cls in bank.classes
        ]
        self.names = [[self.labels[c]] + bank.synonyms(c, with_label=False)
                      for c in range(len(bank))]
        self.part_prompts = [[
            self._compose(c, part['texts']) for part in parts
        ] for c in range(len(bank))]

    def _compose(self, index: int, texts: Sequence[str]) -> str:
        label = self.labels[index]
        pieces = [self.bank.part(index, text) for text in texts]
        if self.style == 'official' and list(texts) == ['hand', 'arm']:
            return f'{label} {pieces[0]}, {pieces[1]}'
        return ', '.join([label] + pieces)

    def all_prompts(self) -> List[str]:
        """Every prompt that can occur (e.g. to precompute embeddings)."""
        return [p for names in self.names for p in names
                ] + [p for prompts in self.part_prompts for p in prompts]

    def sample(self, labels: torch.Tensor) -> List[List[str]]:
        """Prompts of a batch: a list of (K + 1) lists of N strings.

        Synonyms are drawn with torch's generator, so runs with the same
        seed draw the same prompts.
        """
        labels = labels.tolist()
        draws = torch.rand(len(labels)).tolist()
        synonyms = [
            self.names[c][int(u * len(self.names[c]))]
            for c, u in zip(labels, draws)
        ]
        parts = [[self.part_prompts[c][k] for c in labels]
                 for k in range(len(self.part_prompts[0]))]
        return [synonyms] + parts
