"""Convert the official GAP description files into an mmaction_ext bank.

The official GAP code (MartinXM/GAP) ships GPT-3 descriptions of every class
in ``text/``: per line ``<name>,<synonym>,<synonym>,...`` (synonyms),
``<name>,<paragraph>`` (NTU) or ``<name>;<paragraph>`` (NW-UCLA) and
``<name>;<head>;<hand>;<arm>;<hip>;<leg>;<foot>`` (part descriptions). This
tool reads them from *your* checkout of that repository and writes a text
bank (schema in ``mmaction_ext/text/text_bank.py``) that configs select with
``gap_head.text_bank=<file>``, so that a paper reproduction trains on exactly
the official texts. Nothing of those texts is shipped with mmaction_ext.

Every class is checked against our label list
(``mmaction_ext/datasets/label_maps/``): the three files must name the same
class on the same line, and that official (often shortened) name must share a
word with our label of that index (or be a known official renaming), so a
shifted or foreign file is refused instead of silently mislabelling classes.
Each class keeps our benchmark label as ``label`` and the official name as
``prompt_label``; GAP's prompts use ``prompt_label`` and sample the synonym
from the official row (official name first, duplicates kept), as the
official training step does.

Example::

    python tools/gap/import_official_descriptions.py ../GAP --dataset ntu120 \
        --out data/text_banks/ntu120_gap_official.yaml
"""
import argparse
import os
import os.path as osp
import re
import sys
import tempfile
from typing import Dict, List, Sequence, Tuple

import yaml

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from mmaction_ext.text import TextBank  # noqa: E402
from mmaction_ext.text.label_file import read_labels  # noqa: E402

PARTS = ('head', 'hand', 'arm', 'hip', 'leg', 'foot')
LABEL_MAPS = osp.join(ROOT, 'mmaction_ext', 'datasets', 'label_maps')

# dataset: (official files under the checkout, paragraph separator, our
# label list, number of classes)
DATASETS = {
    'ntu120': (('text/synonym_openai_t01.txt', 'text/sentence_openai_t01.txt',
                'text/pasta_openai_t01.txt'), ',', 'ntu120.txt', 120),
    'ntu60': (('text/synonym_openai_t01.txt', 'text/sentence_openai_t01.txt',
               'text/pasta_openai_t01.txt'), ',', 'ntu120.txt', 60),
    'nwucla':
    (('text/ucla_synonym_openai_t01.txt', 'text/ucla_sentence_openai_t01.txt',
      'text/ucla_pasta_openai_t01.txt'), ';', 'nwucla.txt', 10),
}

# Official names that share no word with the benchmark's label, keyed by
# (our label list, class index): checked as equal instead.
RENAMED = {('ntu120.txt', 94): 'capitulate'}


class OfficialFormatError(ValueError):
    """An official description file does not have the expected layout."""


def read_lines(path: str, count: int) -> List[str]:
    """The first ``count`` non-blank lines of an official file."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} not found: pass the root of a checkout of the official '
            'GAP repository (MartinXM/GAP), which has the descriptions in '
            'text/')
    with open(path, encoding='utf-8') as f:
        lines = [line.strip() for line in f.read().splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) < count or not all(lines[:count]):
        raise OfficialFormatError(
            f'{path}: expected {count} non-empty lines (one per class), '
            f'found {len(lines)} lines')
    return lines[:count]


def _stems(text: str) -> List[str]:
    words = re.findall(r'[a-z]+', text.lower())
    return [re.sub(r'(ing|s|es|ed)$', '', w) for w in words if len(w) > 2]


def names_agree(official: str, ours: str) -> bool:
    """Whether an official (short) class name fits our label.

    True when a word stem of one occurs in a word of the other, e.g.
    ``"shaking hands"`` and ``"handshaking"``.
    """
    theirs, mine = _stems(official), _stems(ours)
    return any(
        a in b or b in a for a in theirs for b in mine
        if min(len(a), len(b)) >= 3)


def parse_class(index: int, rows: Tuple[str, str, str], files: Sequence[str],
                separator: str) -> Dict:
    """One class from its synonym, paragraph and part lines."""
    synonym_row, paragraph_row, part_row = rows
    names = [s.strip() for s in synonym_row.split(',')]
    pieces = [p.strip() for p in part_row.split(';')]
    name = names[0]
    where = f'line {index + 1}'
    if not paragraph_row.startswith(name + separator):
        raise OfficialFormatError(
            f'{files[1]} {where} does not start with {name + separator!r} '
            f'(the class named on {where} of {files[0]})')
    if pieces[0] != name:
        raise OfficialFormatError(
            f'{files[2]} {where} names {pieces[0]!r}, {files[0]} names '
            f'{name!r}: the files are not aligned')
    if len(pieces) < 1 + len(PARTS) or not all(pieces[1:]):
        raise OfficialFormatError(
            f'{files[2]} {where} ({name!r}): expected the name and '
            f'{len(PARTS)} non-empty part texts separated by ";", found '
            f'{len(pieces) - 1}')
    synonyms = [s for s in names[1:] if s]
    if not synonyms:
        raise OfficialFormatError(f'{files[0]} {where} ({name!r}) lists no '
                                  'synonyms')
    # more than 7 fields: the official code joins the rest into the last
    # (leg + foot) prompt
    texts = pieces[1:len(PARTS)] + [', '.join(pieces[len(PARTS):])]
    return dict(
        prompt_label=name,
        synonyms=synonyms,
        paragraph=paragraph_row[len(name) + 1:].strip(),
        parts=dict(zip(PARTS, texts)))


def check_names(classes: List[Dict], labels: List[str],
                label_file: str) -> None:
    """Refuse classes whose official name does not fit our label."""
    wrong = []
    for index, (cls, label) in enumerate(zip(classes, labels)):
        name = cls['prompt_label']
        known = RENAMED.get((label_file, index))
        if not (name == known or names_agree(name, label)):
            wrong.append(f'class {index}: official {name!r} vs {label!r}')
    if wrong:
        raise OfficialFormatError(
            f'the official names do not match our label list '
            f'{label_file} class by class: ' + '; '.join(wrong))


def convert(checkout: str, dataset: str) -> Dict:
    """The bank (as a dict) of ``dataset`` from an official checkout."""
    files, separator, label_file, count = DATASETS[dataset]
    paths = [osp.join(checkout, f) for f in files]
    columns = [read_lines(p, count) for p in paths]
    classes = [
        parse_class(i, rows, paths, separator)
        for i, rows in enumerate(zip(*columns))
    ]
    labels = read_labels(osp.join(LABEL_MAPS, label_file))[:count]
    check_names(classes, labels, label_file)
    return dict(
        schema='mmaction_ext.text_bank/1',
        name=f'{dataset}_gap_official',
        version=1,
        parts=list(PARTS),
        classes=[
            dict(index=i, label=label, **cls)
            for i, (label, cls) in enumerate(zip(labels, classes))
        ])


def write_bank(bank: Dict, out: str, overwrite: bool, source: str) -> None:
    """Write the bank atomically, after checking that it loads."""
    if osp.exists(out) and not overwrite:
        raise FileExistsError(f'{out} exists; pass --overwrite to replace it')
    header = (f'# {bank["name"]}: the official GAP descriptions '
              f'(MartinXM/GAP text/), converted from {source} by '
              'tools/gap/import_official_descriptions.py.\n# label: our '
              'benchmark label; prompt_label: the official name that GAP '
              'prompts use.\n')
    text = header + yaml.safe_dump(
        bank, sort_keys=False, allow_unicode=True, width=1000)
    folder = osp.dirname(osp.abspath(out))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix='.yaml', dir=folder)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
        TextBank(
            tmp, num_classes=len(bank['classes']), required_parts=list(PARTS))
        os.replace(tmp, out)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'official_checkout', help='root of a checkout of MartinXM/GAP')
    parser.add_argument('--dataset', required=True, choices=sorted(DATASETS))
    parser.add_argument('--out', required=True, help='bank file to write')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace --out if it exists (refused otherwise)')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    bank = convert(args.official_checkout, args.dataset)
    write_bank(bank, args.out, args.overwrite, args.official_checkout)
    print(f'wrote {args.out}: {len(bank["classes"])} classes of '
          f'{args.dataset}, checked against our label list')


if __name__ == '__main__':
    main()
