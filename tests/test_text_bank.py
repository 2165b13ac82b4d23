"""Text banks: schema, label lists, bad banks named clearly."""
import pytest
import yaml

from mmaction_ext.datasets.label_maps import load_label_map
from mmaction_ext.text import TextBank, TextBankError

PARTS = ['head', 'hand', 'arm', 'hip', 'leg', 'foot']


@pytest.mark.parametrize('bank', ['ntu120', 'nwucla'])
def test_bundled_banks_match_the_official_label_lists(bank):
    TextBank(
        bank, required_parts=PARTS,
        min_synonyms=10).check_labels(load_label_map(bank))


@pytest.mark.parametrize('bank,min_synonyms', [('pku_mmd', 5), ('lara', 5),
                                               ('tcg15', 5), ('mcfs22', 5),
                                               ('mcfs130', 5),
                                               ('joints_ntu25', 2),
                                               ('joints_coco17', 2),
                                               ('joints_openpose_body25', 2),
                                               ('joints_lara19', 2)])
def test_segmentation_banks_match_the_official_lists(bank, min_synonyms):
    loaded = TextBank(bank, min_synonyms=min_synonyms)
    loaded.check_labels(load_label_map(bank))
    key = 'description' if bank.startswith('joints') else 'paragraph'
    assert all(loaded.field(i, key) for i in range(len(loaded)))


def test_synthetic_bank_matches_the_generator():
    from mmaction_ext.datasets.synthetic_skeletons import SYNTHETIC_CLASSES
    TextBank(
        'synthetic12', required_parts=PARTS,
        min_synonyms=10).check_labels(SYNTHETIC_CLASSES)


@pytest.mark.parametrize('bank', ['ntu120', 'nwucla', 'synthetic12'])
def test_part_descriptions_name_their_part_first(bank):
    bank = TextBank(bank)
    stems = {'foot': ('foot', 'feet')}
    for index in range(len(bank)):
        for part in PARTS:
            words = bank.part(index, part).lower().split()[:3]
            assert any(w.startswith(stems.get(part, part)) for w in words), \
                (bank.labels[index], part)


def test_ntu60_is_the_first_60_classes():
    bank = TextBank('ntu120', num_classes=60)
    assert len(bank) == 60 and bank.labels[-1] == 'walking apart from each ' \
        'other'


def write_bank(tmp_path, classes, **header):
    data = dict(
        schema='mmaction_ext.text_bank/1',
        name='t',
        version=1,
        parts=PARTS,
        classes=classes)
    data.update(header)
    path = tmp_path / 'bank.yaml'
    path.write_text(yaml.safe_dump(data))
    return str(path)


def cls(label, **overrides):
    entry = dict(
        label=label,
        synonyms=[label + ' again'],
        paragraph='text',
        parts={p: f'{p} moves'
               for p in PARTS})
    entry.update(overrides)
    return entry


def test_more_classes_than_the_bank_is_an_error(tmp_path):
    path = write_bank(tmp_path, [cls('a'), cls('b')])
    with pytest.raises(
            TextBankError, match='3 classes but the bank '
            'describes only 2'):
        TextBank(path, num_classes=3)


def test_unknown_part_is_an_error(tmp_path):
    with pytest.raises(
            TextBankError, match=r"unknown part name\(s\) "
            r"\['elbow'\]"):
        TextBank(write_bank(tmp_path, [cls('a')]), required_parts=['elbow'])


def test_empty_description_names_class_and_part(tmp_path):
    bad = cls('b', parts={**{p: 'x' for p in PARTS}, 'hip': '  '})
    with pytest.raises(
            TextBankError,
            match="class 1 \\('b'\\) has an empty "
            "or missing 'hip'"):
        TextBank(write_bank(tmp_path, [cls('a'), bad]), required_parts=PARTS)


def test_not_a_bank_and_missing_bank(tmp_path):
    path = tmp_path / 'x.yaml'
    path.write_text('classes: []\n')
    with pytest.raises(TextBankError, match='not a text bank'):
        TextBank(str(path))
    with pytest.raises(FileNotFoundError, match='nowhere'):
        TextBank('nowhere')


def test_label_list_mismatch_names_the_class(tmp_path):
    bank = TextBank(write_bank(tmp_path, [cls('a'), cls('b')]))
    with pytest.raises(
            TextBankError, match="class 1 is 'b', the label "
            "list says 'c'"):
        bank.check_labels(['a', 'c'])


@pytest.mark.parametrize('bank,layout',
                         [('joints_ntu25', 'nturgb+d_lasa'),
                          ('joints_lara19', 'lara'),
                          ('joints_openpose_body25', 'openpose_body25'),
                          ('joints_tcg17', 'tcg17')])
def test_joint_banks_cover_their_trgnet_layout(bank, layout):
    from mmaction_ext.structures.skeleton_layouts import SKELETON_LAYOUTS
    loaded = TextBank(bank, min_synonyms=2)
    assert list(loaded.labels) == list(SKELETON_LAYOUTS[layout].joints)
    assert all(loaded.field(i, 'description') for i in range(len(loaded)))
