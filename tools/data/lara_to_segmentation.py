"""Convert the LARa OMoCap release to a skeleton segmentation pkl.

Example::

    python tools/data/lara_to_segmentation.py \
        --data-dir data/LARa/OMoCap --joints all \
        --out data/skeleton_segmentation/lara22.pkl

    # the 19-node selection of MS-GCN / DeST, given as a file (see below)
    python tools/data/lara_to_segmentation.py \
        --data-dir data/LARa/OMoCap --joints my_lara19_order.txt \
        --official-lists DeST/csv/LARA \
        --out data/skeleton_segmentation/lara19.pkl

Output (the :class:`SkeletonSegmentationDataset` format)::

    dict(split=dict(train=[...], test=[...]),  # or train/val/test, below
         classes=TextBank('lara').labels,      # 8 classes
         annotations=[dict(frame_dir='L01_S01_R01_A17_N01', total_frames=T,
                           keypoint=float32 (1, T, V, 6),
                           frame_labels=int64 (T, )), ...])

The 6 channels of a joint are the release's ``RX, RY, RZ, TX, TY, TZ``
columns of that body segment, unchanged (degrees and millimetres per the
Vicon export header, relative to the lower back as the ``norm_data`` files
hold them). C = 6 with M = 1 gives TRG-Net's 12 input channels after
displacement + relative features (github.com/HaoyuJi/TRG-Net
``libs/dataset.py`` @ ec593c67).
Every 200 Hz frame is kept; MS-GCN's README and TRG-Net subsample x4 in
the loader (our ``TemporalDownsample``).

Input layout and where each fact comes from:

* One folder per subject (``S01`` ...) holding, per annotated recording,
  ``<L>_<S>_<R>_<A>_<N>_norm_data.csv`` and ``..._labels.csv``, e.g.
  ``L01_S01_R01_A17_N01`` (scenario, subject, recording, annotator, try).
  Sources: wilfer9008/Annotation_Tool_LARa (the tool that wrote the
  release) ``From_Human_Pose_to_On_Body_Devices_for_Human_Activity_
  Recognition/LARA_dataset/LARa_dataset_preprocessing.py`` @ 12c4936b
  (``{P}/{S}_{P}_{R}_{A}_{N}_norm_data.csv`` / ``_labels.csv``) and the
  names in lyhisme/DeST ``csv/LARA/*.csv`` @ 3c657839. Files are found
  recursively, so the folder layout does not matter.
* ``*_norm_data.csv``: one header line, then one row per frame of 134
  comma separated numbers: ``sample``, the class label, and 22 body
  segments x ``RX, RY, RZ, TX, TY, TZ`` in the order of :data:`SEGMENTS`.
  Sources: the tool's writer ``Annotation_Tool_LARa/src/data_management.py``
  @ 2c5de834 (``save_results``: header ``sample,classlabel,<segment>_RX``
  ..., 22 segments in its ``body_segments`` order; the mocap values are
  normalised by subtracting the lower back from every segment), the reader
  ``csv_reader.py`` @ 05216963 ("134 columns", ``skiprows=1``) and a header
  copy with the same names (``sample,label,head_RX,...,root_TZ``) next to
  the raw Vicon export header (200 Hz; deg, mm) in an unattributed LARa
  test generator found by code search. The header names are checked.
* ``*_labels.csv``: one header line ``class,<19 attributes>``, then per
  frame the class id 0..7 and 19 binary attributes (same writer;
  ``LARa_dataset_preprocessing.py`` drops ``labels[:, 0] == 7``, the None
  class, so ids are 0-based). The class ids follow the tool's
  ``labels/class.txt`` @ 46e142e8: Standing, Walking, Cart, Handling
  (upwards), Handling (centred), Handling (downwards), Synchronization,
  None. Also read, UNVERIFIED against the release: a header whose first 8
  fields are these class names with one-hot rows (a third-party LARa script
  for "SMQ" found by code search reads labels that way).
* Classes: mapped by name onto ``TextBank('lara')`` (LaSA's wording), with
  Cart -> "Cart Handling" and Synchronization -> "Waving hands" as noted in
  ``mmaction_ext/datasets/label_maps/lara.txt``; this is the identity
  0..7. The
  None class is an ordinary class (TRG-Net/LaSA use 8 classes).
* The norm_data class column must agree with the labels file, as the
  tool's preprocessing requires (``--ignore-class-column`` skips this).
* Splits: by subject, ``test`` = S05, S06, S07, S08 and ``train`` = the
  others, which is exactly what lyhisme/DeST ``csv/LARA/test1.csv`` and
  ``train1.csv`` + ``val1.csv`` hold. ``--official-lists DIR`` reads those
  csv files instead (``feature,label,boundary`` rows; the feature file
  stem is the recording) and writes ``train``, ``val`` and ``test``
  (DeST's val1 is a held-out part of the training subjects); recordings
  they do not list are left out and counted.

Joint selection (``--joints``):

* ``all``: the 22 segments in release order (verified).
* a text file with one segment name per line (``#`` comments allowed;
  names as in :data:`SEGMENTS`, underscores or spaces, any case).
  MS-GCN / DeST / LaSA / TRG-Net use 19 nodes, but only part of that order
  is public: the MS-GCN maintainer lists the nodes in
  BenjaminFiltjens/MS-GCN issue #6 ("Lara Dataset", 2022-10-09) as the
  ``RX..TZ`` columns of ``root, R femur, R tibia, R foot, R toe, L femur,
  L tibia, L foot, L toe, ...`` (:data:`MSGCN_LEADING_NODES`); the
  remaining 10 nodes of that comment could not be read. The maintainer
  says the node count was taken over from their TUG dataset, and the
  MS-GCN graph (``models/net_utils/graph.py`` @ 128f1b22, layout
  'logistics') gives edges, not names. No default 19-node order is
  therefore built in; a warning is printed when a 19-name file does not
  start with the 9 verified names.
"""
import argparse
import csv
import os
import os.path as osp
import re
import sys
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmaction_ext.datasets.conversion import (
    ConversionError, check_bad_inputs, check_segmentation_file,
    segmentation_entry, add_output_arguments, add_skip_bad_argument,
    write_converted, InputFileError as LaraFormatError, keep_converted,
    normalise_class_name, read_feature_list)

SEGMENTS = ('head', 'head end', 'L collar', 'L elbow', 'L femur', 'L foot',
            'L humerus', 'L tibia', 'L toe', 'L wrist', 'L wrist end',
            'lower back', 'R collar', 'R elbow', 'R femur', 'R foot',
            'R humerus', 'R tibia', 'R toe', 'R wrist', 'R wrist end', 'root')
CHANNELS = ('RX', 'RY', 'RZ', 'TX', 'TY', 'TZ')
NUM_COLUMNS = 2 + len(SEGMENTS) * len(CHANNELS)  # sample, class, 132 values
MSGCN_LEADING_NODES = ('root', 'R femur', 'R tibia', 'R foot', 'R toe',
                       'L femur', 'L tibia', 'L foot', 'L toe')
LARA_CLASSES = ('Standing', 'Walking', 'Cart', 'Handling (upwards)',
                'Handling (centred)', 'Handling (downwards)',
                'Synchronization', 'None')
# LARa's class names where TextBank('lara') (LaSA's wording) differs.
BANK_NAMES = {'Cart': 'Cart Handling', 'Synchronization': 'Waving hands'}
TEST_SUBJECTS = ('S05', 'S06', 'S07', 'S08')
NAME_RE = re.compile(r'L\d{2}_(S\d{2})_R\d{2}_A\d{2}_N\d{2}')
DATA_SUFFIX = '_norm_data.csv'
LABEL_SUFFIX = '_labels.csv'


def class_id_to_bank_index(bank_labels: Sequence[str]) -> np.ndarray:
    """Our class index of each LARa class id, matched by name.

    Args:
        bank_labels (Sequence[str]): ``TextBank('lara').labels``.

    Returns:
        np.ndarray: int64 (8, ), entry ``k`` for LARa class id ``k``.
    """
    index = {
        normalise_class_name(name): i
        for i, name in enumerate(bank_labels)
    }
    if len(index) != len(bank_labels):
        raise ValueError(f'bank classes {list(bank_labels)} collide once '
                         'case, spaces and punctuation are ignored')
    wanted = [BANK_NAMES.get(name, name) for name in LARA_CLASSES]
    unknown = [w for w in wanted if normalise_class_name(w) not in index]
    if unknown:
        raise ValueError(f'LARa classes {unknown} are not in the text bank '
                         f'classes {list(bank_labels)}')
    return np.array([index[normalise_class_name(w)] for w in wanted], np.int64)


def read_joint_order(spec: str) -> Tuple[List[int], List[str]]:
    """Segment indices selected by ``--joints``.

    Args:
        spec (str): ``'all'`` or a file with one segment name per line.

    Returns:
        tuple: Indices into :data:`SEGMENTS` and their names, in order.
    """
    if spec == 'all':
        return list(range(len(SEGMENTS))), list(SEGMENTS)
    lookup = {normalise_class_name(s): i for i, s in enumerate(SEGMENTS)}
    indices, problems = [], []
    with open(spec) as f:
        for number, line in enumerate(f, 1):
            name = line.split('#', 1)[0].strip()
            if not name:
                continue
            if normalise_class_name(name) not in lookup:
                problems.append(f'line {number}: unknown segment {name!r}')
            elif lookup[normalise_class_name(name)] in indices:
                problems.append(f'line {number}: segment {name!r} repeated')
            else:
                indices.append(lookup[normalise_class_name(name)])
    if not indices and not problems:
        problems.append('names no segment')
    if problems:
        raise ValueError(f'{spec}: ' + '; '.join(problems) +
                         f' (segments: {", ".join(SEGMENTS)})')
    return indices, [SEGMENTS[i] for i in indices]


def leading_nodes_warning(names: Sequence[str]) -> Optional[str]:
    """A warning if a 19-node order does not start as MS-GCN's does."""
    if len(names) != 19 or \
            tuple(names[:len(MSGCN_LEADING_NODES)]) == MSGCN_LEADING_NODES:
        return None
    return ('warning: the 19 joints do not start with the 9 nodes verified '
            f'for MS-GCN ({", ".join(MSGCN_LEADING_NODES)})')


def _read_header(path: str) -> List[str]:
    with open(path, newline='') as f:
        line = f.readline()
    if not line.strip():
        raise LaraFormatError(path, 'line 1: empty, expected a header')
    return [field.strip() for field in next(csv.reader([line]))]


def _first_bad_line(path: str, columns: int) -> str:
    """Describe the first data line that is not ``columns`` numbers."""
    with open(path) as f:
        next(f)
        for number, line in enumerate(f, 2):
            if not line.strip():
                continue
            fields = line.strip().split(',')
            if len(fields) != columns:
                return (f'line {number}: {len(fields)} fields, expected '
                        f'{columns}')
            for col, field in enumerate(fields, 1):
                try:
                    float(field)
                except ValueError:
                    return (f'line {number}, column {col}: {field!r} is '
                            'not a number')
    return 'cannot parse the numbers'


def _read_numbers(path: str, columns: int) -> np.ndarray:
    """Data rows after the header as float64 (T, columns), all finite."""
    try:
        with warnings.catch_warnings():  # 'input contained no data'
            warnings.simplefilter('ignore', UserWarning)
            values = np.loadtxt(path, delimiter=',', skiprows=1, ndmin=2)
    except ValueError:
        raise LaraFormatError(path, _first_bad_line(path, columns))
    if values.size == 0:
        raise LaraFormatError(path, 'has no data rows after the header')
    if values.shape[1] != columns:
        raise LaraFormatError(path, _first_bad_line(path, columns))
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        raise LaraFormatError(
            path, f'line {int(np.argmax(bad)) + 2}: non-finite value')
    return values


def read_norm_data(path: str) -> Tuple[np.ndarray, np.ndarray]:
    """The class column and segment values of a ``*_norm_data.csv``.

    Args:
        path (str): The file.

    Returns:
        tuple: Class column float64 (T, ) and values float64 (T, 22, 6).
    """
    header = _read_header(path)
    expected = [f'{s}_{c}' for s in SEGMENTS for c in CHANNELS]
    if len(header) != NUM_COLUMNS:
        raise LaraFormatError(
            path, f'line 1: header has {len(header)} fields, expected '
            f'{NUM_COLUMNS} (sample, class, 22 segments x RX..TZ)')
    for col, (got, want) in enumerate(zip(header[2:], expected), 3):
        if normalise_class_name(got) != normalise_class_name(want):
            raise LaraFormatError(
                path, f'line 1, column {col}: header {got!r}, expected '
                f'{want!r}')
    values = _read_numbers(path, NUM_COLUMNS)
    return values[:, 1], values[:, 2:].reshape(
        len(values), len(SEGMENTS), len(CHANNELS))


def read_labels(path: str) -> np.ndarray:
    """LARa class ids (0..7) per frame of a ``*_labels.csv``.

    Args:
        path (str): The file; header ``class,...`` with the id in column 1,
            or (unverified) 8 class-name columns holding a one-hot row.

    Returns:
        np.ndarray: int64 (T, ).
    """
    header = _read_header(path)
    names = [normalise_class_name(n) for n in LARA_CLASSES]
    if normalise_class_name(header[0]) == 'class':
        values = _read_numbers(path, len(header))
        ids = values[:, 0]
        bad = (ids != np.round(ids)) | (ids < 0) | (ids >= len(names))
        if bad.any():
            line = int(np.argmax(bad)) + 2
            raise LaraFormatError(
                path, f'line {line}: class {ids[bad][0]:g} is not an '
                f'integer in 0..{len(names) - 1}')
        return ids.astype(np.int64)
    if [normalise_class_name(h) for h in header[:len(names)]] == names:
        values = _read_numbers(path, len(header))[:, :len(names)]
        bad = ~((values == 1).sum(1) == 1) | ~np.isin(values, (0, 1)).all(1)
        if bad.any():
            raise LaraFormatError(
                path, f'line {int(np.argmax(bad)) + 2}: the 8 class columns '
                'are not one-hot')
        return values.argmax(1).astype(np.int64)
    raise LaraFormatError(
        path, f'line 1: header starts {header[:3]}, expected "class" or the '
        f'8 class names {list(LARA_CLASSES)}')


def convert_recording(data_path: str,
                      label_path: str,
                      joints: Sequence[int],
                      class_map: np.ndarray,
                      check_class_column: bool = True) -> Dict:
    """One recording as a segmentation entry.

    Args:
        data_path (str): ``..._norm_data.csv``.
        label_path (str): ``..._labels.csv``.
        joints (Sequence[int]): Segment indices to keep, in order.
        class_map (np.ndarray): Our class index per LARa class id.
        check_class_column (bool): Require the norm_data class column to
            equal the labels file. Defaults to True.

    Returns:
        dict: The :func:`segmentation_entry` of the recording.
    """
    class_column, values = read_norm_data(data_path)
    labels = read_labels(label_path)
    if len(labels) != len(values):
        raise LaraFormatError(
            label_path, f'{len(labels)} label rows but {len(values)} rows '
            f'in {osp.basename(data_path)}')
    if check_class_column:
        differ = class_column != labels
        if differ.any():
            line = int(np.argmax(differ)) + 2
            raise LaraFormatError(
                data_path, f'class column disagrees with '
                f'{osp.basename(label_path)} at {int(differ.sum())} '
                f'frame(s), first at line {line} ({class_column[differ][0]:g}'
                f' vs {labels[differ][0]})')
    name = osp.basename(data_path)[:-len(DATA_SUFFIX)]
    keypoint = values[:, list(joints)][None].astype(np.float32)
    return segmentation_entry(name, keypoint, class_map[labels])


def find_recordings(data_dir: str) -> Tuple[Dict, Dict[str, str]]:
    """Pairs of data and label files under ``data_dir``.

    Returns:
        tuple: ``{name: (norm_data path, labels path)}`` and ``{name:
        'path: reason'}`` for the recordings that cannot be paired.
    """
    found: Dict[str, Dict[str, str]] = {}
    bad = {}
    for root, _, files in os.walk(data_dir):
        for file in sorted(files):
            for kind, suffix in (('data', DATA_SUFFIX), ('labels',
                                                         LABEL_SUFFIX)):
                if file.endswith(suffix):
                    name = file[:-len(suffix)]
                    if kind in found.setdefault(name, {}):
                        bad[name] = (f'{osp.join(root, file)}: recording '
                                     f'{name} found twice')
                    found[name][kind] = osp.join(root, file)
    pairs = {}
    for name, files in sorted(found.items()):
        if name in bad:
            continue
        if 'data' not in files:
            bad[name] = f'{files["labels"]}: no {name}{DATA_SUFFIX}'
        elif 'labels' not in files:
            bad[name] = f'{files["data"]}: no {name}{LABEL_SUFFIX}'
        elif not NAME_RE.fullmatch(name):
            bad[name] = (f'{files["data"]}: name is not '
                         'L##_S##_R##_A##_N##')
        else:
            pairs[name] = (files['data'], files['labels'])
    return pairs, bad


def read_official_lists(csv_dir: str) -> Dict[str, List[str]]:
    """DeST's ``train1.csv``, ``val1.csv`` and ``test1.csv`` as names.

    Args:
        csv_dir (str): DeST ``csv/LARA``.

    Returns:
        dict[str, list[str]]: ``train``, ``val`` and ``test`` names.
    """
    lists = {}
    for split in ('train', 'val', 'test'):
        lists[split] = read_feature_list(osp.join(csv_dir, f'{split}1.csv'))
    return lists


def subject_splits(names: Sequence[str],
                   test_subjects: Sequence[str]) -> Dict[str, List[str]]:
    """``train`` / ``test`` by the subject in each recording name."""
    splits = dict(train=[], test=[])
    for name in names:
        subject = NAME_RE.fullmatch(name).group(1)
        splits['test' if subject in test_subjects else 'train'].append(name)
    return splits


def convert(data_dir: str,
            joints: str = 'all',
            official_lists: Optional[str] = None,
            test_subjects: Sequence[str] = TEST_SUBJECTS,
            check_class_column: bool = True,
            skip_bad: bool = False) -> Tuple[Dict, List[str], int]:
    """Convert a LARa OMoCap folder.

    Args:
        data_dir (str): Folder searched for the csv pairs.
        joints (str): ``--joints`` (see :func:`read_joint_order`).
        official_lists (str, optional): DeST ``csv/LARA`` folder whose
            lists define the splits. Defaults to the subject rule.
        test_subjects (Sequence[str]): Test subjects of the subject rule.
        check_class_column (bool): See :func:`convert_recording`.
        skip_bad (bool): Leave out bad recordings instead of raising.

    Returns:
        tuple: ``dict(split, classes, annotations)``, the bad files as
        ``'path: reason'`` strings and the number of recordings left out
        because the official lists do not name them.
    """
    from mmaction_ext.text import TextBank
    if not osp.isdir(data_dir):
        raise FileNotFoundError(f'{data_dir!r} is not a directory')
    indices, _ = read_joint_order(joints)
    classes = list(TextBank('lara').labels)
    class_map = class_id_to_bank_index(classes)
    lists = read_official_lists(official_lists) if official_lists else None
    pairs, unpaired = find_recordings(data_dir)
    seen = set(pairs) | set(unpaired)
    wanted = set(sum(lists.values(), [])) if lists else seen
    bad = [unpaired[n] for n in sorted(wanted & set(unpaired))]
    annotations = []
    for name in sorted(wanted & set(pairs)):
        try:
            annotations.append(
                convert_recording(*pairs[name], indices, class_map,
                                  check_class_column))
        except LaraFormatError as err:
            bad.append(str(err))
    bad += [
        f'{osp.join(data_dir, n)}{DATA_SUFFIX}: listed by the official '
        'lists but not found' for n in sorted(wanted - seen)
    ]
    check_bad_inputs(bad, skip_bad)
    if lists:
        splits = keep_converted(lists, annotations)
    else:
        names = [anno['frame_dir'] for anno in annotations]
        splits = subject_splits(names, test_subjects)
    data = dict(split=splits, classes=classes, annotations=annotations)
    check_segmentation_file(data, len(indices), len(CHANNELS))
    return data, bad, len(seen - wanted)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert the LARa OMoCap csv files to a skeleton '
        'segmentation pkl')
    parser.add_argument(
        '--data-dir',
        required=True,
        help='folder with the *_norm_data.csv and *_labels.csv files')
    parser.add_argument(
        '--joints',
        required=True,
        help='"all" (22 segments, release order) or a file with one '
        'segment name per line (e.g. a 19-node order)')
    add_output_arguments(parser)
    parser.add_argument(
        '--official-lists',
        help='DeST csv/LARA folder: take train/val/test from its '
        'train1/val1/test1.csv instead of the subject rule')
    parser.add_argument(
        '--test-subjects',
        default=','.join(TEST_SUBJECTS),
        help='comma separated test subjects of the subject rule '
        '(default: %(default)s, as DeST)')
    parser.add_argument(
        '--ignore-class-column',
        action='store_true',
        help='do not require the norm_data class column to equal the '
        'labels file')
    add_skip_bad_argument(parser, 'recordings that cannot be read')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        _, names = read_joint_order(args.joints)
        data, bad, unlisted = convert(
            args.data_dir, args.joints, args.official_lists,
            [s.strip() for s in args.test_subjects.split(',')],
            not args.ignore_class_column, args.skip_bad)
    except (ConversionError, ValueError, OSError) as err:
        print(err, file=sys.stderr)
        return 1
    warning = leading_nodes_warning(names)
    if warning:
        print(warning, file=sys.stderr)
    return write_converted(
        data,
        args.out,
        bad, f'{len(data["annotations"])} recordings, {len(names)} joints '
        f'({len(bad)} bad, {unlisted} not in the official lists)',
        overwrite=args.overwrite)


if __name__ == '__main__':
    sys.exit(main())
