"""tools/gap/import_official_descriptions.py on files in the official layout.

The files are written here, in the layout of the official GAP repository's
``text/`` folder, with texts made up for the test.
"""
import os.path as osp
import re
import sys

import pytest

from mmaction_ext.models.utils import build_partition
from mmaction_ext.text import GAPPromptBuilder, TextBank
from mmaction_ext.text.label_file import read_labels

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'gap'))
import import_official_descriptions as tool  # noqa: E402

UCLA = read_labels(
    osp.join(ROOT, 'mmaction_ext', 'datasets', 'label_maps', 'nwucla.txt'))
NTU = read_labels(
    osp.join(ROOT, 'mmaction_ext', 'datasets', 'label_maps', 'ntu120.txt'))


def official_rows(names, sep):
    synonyms = [
        f'{n},alias a{i}, alias b{i},alias a{i}' for i, n in enumerate(names)
    ]
    paragraphs = [
        f'{n}{sep}A person does thing {i}. Then stops.'
        for i, n in enumerate(names)
    ]
    parts = [
        f'{n};head: nods {i}; hand: grips {i};arm: lifts {i}; '
        f'hip: turns {i}; leg: bends {i}; foot: taps {i}.'
        for i, n in enumerate(names)
    ]
    return synonyms, paragraphs, parts


def write_checkout(root, dataset, names, sep):
    files, _, _, _ = tool.DATASETS[dataset]
    for path, rows in zip(files, official_rows(names, sep)):
        full = osp.join(root, path)
        (root / osp.dirname(path)).mkdir(parents=True, exist_ok=True)
        with open(full, 'w', encoding='utf-8') as f:
            f.write('\n'.join(rows) + '\n')
    return str(root)


def official_prompts(part_row):
    """The official code's four part prompts of one pasta line."""
    p = part_row.split(';')
    return [
        ','.join(p[0:2]), p[0] + ','.join(p[2:4]), p[0] + ',' + p[4],
        p[0] + ',' + ','.join(p[5:])
    ]


def same_clip_tokens(a, b):
    """CLIP's BPE ignores spaces around commas and repeated spaces."""
    norm = [
        re.sub(r'\s*,\s*', ',', re.sub(r'\s+', ' ', x.strip())) for x in (a, b)
    ]
    return norm[0] == norm[1]


def test_nwucla_converts_class_by_class(tmp_path):
    checkout = write_checkout(tmp_path / 'GAP', 'nwucla', UCLA, ';')
    out = tmp_path / 'nwucla_official.yaml'
    tool.main([checkout, '--dataset', 'nwucla', '--out', str(out)])
    bank = TextBank(str(out), num_classes=10, required_parts=list(tool.PARTS))
    bank.check_labels(UCLA)
    assert bank.classes[3]['prompt_label'] == UCLA[3]
    assert bank.synonyms(
        3, with_label=False) == [
            'alias a3',
            'alias b3',
            'alias a3'  # duplicates kept, as sampled
        ]
    assert bank.paragraph(3) == 'A person does thing 3. Then stops.'
    assert bank.part(3, 'foot') == 'foot: taps 3.'

    parts = build_partition('ntu_joint_4', 25)
    builder = GAPPromptBuilder(bank, parts, 'official')
    _, _, part_rows = official_rows(UCLA, ';')
    for c in range(10):
        ours = builder.part_prompts[c]
        for mine, theirs in zip(ours, official_prompts(part_rows[c])):
            assert same_clip_tokens(mine, theirs), (mine, theirs)
        assert builder.names[c] == [
            s.strip() for s in official_rows(UCLA, ';')[0][c].split(',')
        ]


def test_ntu60_takes_the_first_60_classes(tmp_path):
    shortened = [re.sub(r'\s*\(.*\)$', '', n) for n in NTU]
    shortened[94] = 'capitulate'  # an official name sharing no word
    checkout = write_checkout(tmp_path / 'GAP', 'ntu120', shortened, ',')
    out = tmp_path / 'ntu60.yaml'
    tool.main([checkout, '--dataset', 'ntu60', '--out', str(out)])
    bank = TextBank(str(out), num_classes=60)
    bank.check_labels(NTU[:60])
    assert bank.classes[8]['prompt_label'] == 'standing up'
    tool.main(
        [checkout, '--dataset', 'ntu120', '--out',
         str(out), '--overwrite'])
    assert len(TextBank(str(out))) == 120


def test_refuses_shifted_or_misaligned_files(tmp_path):
    shifted = UCLA[1:] + UCLA[:1]  # files of another label order
    checkout = write_checkout(tmp_path / 'a', 'nwucla', shifted, ';')
    with pytest.raises(tool.OfficialFormatError, match='class by class'):
        tool.convert(checkout, 'nwucla')

    checkout = write_checkout(tmp_path / 'b', 'nwucla', UCLA, ';')
    pasta = osp.join(checkout, tool.DATASETS['nwucla'][0][2])
    lines = open(pasta).read().splitlines()
    lines[2], lines[3] = lines[3], lines[2]
    open(pasta, 'w').write('\n'.join(lines))
    with pytest.raises(tool.OfficialFormatError, match='line 3'):
        tool.convert(checkout, 'nwucla')

    lines[2], lines[3] = lines[3], lines[2]
    lines[5] = lines[5].rsplit(';', 2)[0]  # two parts missing
    open(pasta, 'w').write('\n'.join(lines))
    with pytest.raises(tool.OfficialFormatError, match='line 6'):
        tool.convert(checkout, 'nwucla')

    with pytest.raises(FileNotFoundError, match='official GAP'):
        tool.convert(str(tmp_path / 'missing'), 'nwucla')


def test_never_overwrites_without_flag(tmp_path):
    checkout = write_checkout(tmp_path / 'GAP', 'nwucla', UCLA, ';')
    out = tmp_path / 'bank.yaml'
    out.write_text('my own notes\n')
    with pytest.raises(FileExistsError, match='--overwrite'):
        tool.main([checkout, '--dataset', 'nwucla', '--out', str(out)])
    assert out.read_text() == 'my own notes\n'


def test_names_agree():
    assert tool.names_agree('shaking hands', 'handshaking')
    assert tool.names_agree('brush teeth', 'brushing teeth')
    assert not tool.names_agree('drink water', 'eat meal/snack')
