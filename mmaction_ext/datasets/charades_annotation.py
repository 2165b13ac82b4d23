"""Charades annotation CSVs and the scene splits of ProDA's Table 10.

``Charades_v1_{train,test}.csv`` (Sigurdsson et al., ECCV 2016) has the
columns ``id,subject,scene,quality,relevance,verified,script,objects,
descriptions,actions,length``; ``actions`` is ``"c092 11.90 21.20;c147 0.00
12.60"`` (class id, start and end in seconds, ``;``-separated, possibly
empty) and ``length`` the duration in seconds. Class ``cNNN`` is index NNN
of the bundled ``charades`` label map (157 classes).
"""
import csv
import re
from typing import Dict, List, NamedTuple, Sequence, Tuple

from .conversion import InputFileError, normalise_class_name

NUM_CHARADES_CLASSES = 157
REQUIRED_COLUMNS = ('id', 'scene', 'actions', 'length')
_ACTION = re.compile(r'^c(\d{3})$')

# ProDA (NeurIPS 2025) Appendix D.1, Table 10, after LaIAR's setup: five
# scenarios whose training and test scenes do not overlap.
DOMAIN_SHIFT_SCENES = dict(
    scenario1=dict(
        train=('Stairs', 'Laundry room', 'Home Office', 'Hallway', 'Bedroom',
               'Pantry', 'Dining room', 'Entryway'),
        test=('Living room', 'Closet', 'Kitchen', 'Bathroom', 'Garage',
              'Recreation room', 'Basement', 'Other')),
    scenario2=dict(
        train=('Laundry room', 'Bathroom', 'Pantry', 'Closet', 'Entryway',
               'Recreation room', 'Garage', 'Other'),
        test=('Bedroom', 'Living room', 'Kitchen', 'Home Office', 'Hallway',
              'Stairs', 'Basement', 'Dining room')),
    scenario3=dict(
        train=('Stairs', 'Laundry room', 'Bedroom', 'Basement', 'Bathroom',
               'Entryway', 'Recreation room', 'Other'),
        test=('Living room', 'Closet', 'Kitchen', 'Home Office', 'Garage',
              'Hallway', 'Pantry', 'Dining room')),
    scenario4=dict(
        train=('Kitchen', 'Stairs', 'Laundry room', 'Home Office', 'Bedroom',
               'Bathroom', 'Pantry', 'Dining room'),
        test=('Living room', 'Closet', 'Garage', 'Hallway', 'Recreation room',
              'Entryway', 'Basement', 'Other')),
    scenario5=dict(
        train=('Kitchen', 'Laundry room', 'Hallway', 'Basement', 'Dining room',
               'Living room', 'Closet', 'Other'),
        test=('Bedroom', 'Home Office', 'Bathroom', 'Garage', 'Stairs',
              'Recreation room', 'Entryway', 'Pantry')))


class CharadesVideo(NamedTuple):
    """One row of a Charades CSV."""
    video_id: str
    scene: str
    length: float
    actions: List[Tuple[int, float, float]]


def parse_actions(text: str, where: str) -> List[Tuple[int, float, float]]:
    """``"c092 11.90 21.20;c147 0.00 12.60"`` -> [(92, 11.9, 21.2), ...].

    Raises:
        InputFileError: On a malformed item or an id outside c000..c156.
    """
    actions = []
    for item in filter(None, (part.strip() for part in text.split(';'))):
        fields = item.split()
        match = _ACTION.match(fields[0]) if len(fields) == 3 else None
        if match is None:
            raise InputFileError(where, f'action {item!r} is not "cNNN '
                                 'start end"')
        label = int(match.group(1))
        if label >= NUM_CHARADES_CLASSES:
            raise InputFileError(
                where, f'action id {fields[0]} is outside '
                f'the {NUM_CHARADES_CLASSES} Charades '
                'classes c000..c156')
        try:
            start, end = float(fields[1]), float(fields[2])
        except ValueError:
            raise InputFileError(where, f'action {item!r} has non-numeric '
                                 'times') from None
        actions.append((label, start, end))
    return actions


def read_charades_csv(path: str) -> Dict[str, CharadesVideo]:
    """All rows of a Charades CSV by video id.

    Raises:
        InputFileError: Naming the file and line of a missing column, a
            duplicate id, a bad ``length`` or a bad action.
    """
    with open(path, newline='', encoding='utf-8') as f:
        reader = csv.DictReader(f)
        missing = set(REQUIRED_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise InputFileError(
                path, f'has no column(s) {sorted(missing)}; '
                'expected a Charades_v1_*.csv')
        videos = {}
        for row in reader:
            where = f'{path}:{reader.line_num} (video {row["id"]})'
            if row['id'] in videos:
                raise InputFileError(where, 'duplicate video id')
            try:
                length = float(row['length'])
            except ValueError:
                raise InputFileError(
                    where, f'length {row["length"]!r} is '
                    'not a number') from None
            videos[row['id']] = CharadesVideo(
                row['id'], row['scene'].strip(), length,
                parse_actions(row['actions'] or '', where))
    return videos


def scene_group(scene: str, names: Sequence[str]) -> bool:
    """Whether a CSV scene belongs to one of Table 10's scene ``names``.

    CSV scenes carry descriptions (e.g. ``"Home Office / Study (A room in a
    house used for work)"``), Table 10 short names (``"Home Office"``): a
    scene matches a name when its normalised text starts with it.
    """
    scene = normalise_class_name(scene)
    return any(scene.startswith(normalise_class_name(n)) for n in names)
