"""Convert the TCG (Traffic Control Gesture) release to a segmentation pkl.

Example::

    python tools/data/tcg_to_segmentation.py --tcg-dir dataset/tcg \
        --out data/skeleton_segmentation/tcg15.pkl

TCG (Wiederer et al., IROS 2020) is distributed on request as
``tcg_dataset.zip``. The official README says the dataset is two files, the
description file ``tcg.json`` (meta data and annotations) and the pose
file ``tcg_data.npy`` (3D pose sequences); the official loader reads them
from ``dataset/tcg/``. ``--tcg-dir`` is the folder with these two files.

Output (the ``SkeletonSegmentationDataset`` format)::

    dict(split=dict(xsub_fold1_train=[name, ...], xsub_fold1_test=[...],
                    ..., xview_fold4_test=[...]),
         classes=TextBank('tcg15').labels,       # 15 names, index order
         annotations=[dict(frame_dir=name, total_frames=T,
                           keypoint=float32 (1, T, 17, 3),
                           frame_labels=int64 (T, )), ...])

``name`` is ``tcg_<index>_subject<subject_id>_<viewpoint>``, where index is
the position of the sequence in ``tcg.json``. The keypoints are the raw
stored joint coordinates (one person), in the stored joint order.

Sources. [O] = the official loader, againerju/tcg_recognition ``TCGDB.py``
at commit ee22be45e529622249311e7b582552a5f135d4db (``TCGDB.open``,
``get_train_test_data``, ``TCGFrame.encode_minlabel``) and ``README.md`` at
commit 6c68301980bf07b84e1b478e988e520b3f62efeb. [T] = third-party loaders
of the same files, read as corroboration only: the stMLP TCG loader
(Holzbock et al., IV 2022, whose README points to tcg_recognition) and an
unnamed PyTorch ``TCGDataset`` that cites ``TCGDB.py``; the search index did
not name their repositories. [R] = HaoyuJi/TRG-Net ``libs/dataset.py`` at
commit ec593c67cb5f6eab226a72dec74c27bb13f549a6.

* [O] ``tcg.json`` is a dict with ``dataset``, ``description``, ``version``,
  ``joint_dictionary`` and ``sequences``. Each sequence has ``subject_id``,
  ``junction``, ``scene_id``, ``scene_agents``, ``agent_number``,
  ``annotation`` and ``num_frames``. The viewpoint is
  ``scene_agents[agent_number]["position"]``.
* [O] ``tcg_data.npy`` is an object array (``np.load(...,
  allow_pickle=True)`` reads it); we read it without running pickled code.
  Entry ``i`` is the pose sequence of ``sequences[i]``, one pose per frame.
* [O] ``annotation`` is a list of ``[major, minor, start, end]`` intervals
  covering frames ``range(start, end)`` (end excluded). A later interval
  overwrites an earlier one. A frame without an interval has no label, and
  the official loader fails on it.
* [O] The 15 sub-class labels: the name ``major + "_" + minor`` maps to
  ``inactive_normal-pose``, ``inactive_out-of-vocabulary`` and
  ``inactive_transition`` -> 0, then ``stop_both-static`` 1 ... and
  ``go_right-dynamic`` 14. This is :data:`MINOR_TO_INDEX`. It is the order of
  ``TextBank('tcg15')``, and that is checked when converting.
* [O] Protocols. Cross-subject (``xs``) has 5 folds; fold k tests subject
  5, 2, 3, 4, 1 (k = 1..5) and trains on the other four. Cross-view (``xv``)
  has 4 folds; fold k tests viewpoint ``top``, ``left``, ``right``,
  ``bottom`` and trains on the other three. A sequence whose subject or
  viewpoint is in neither set of a fold is left out of it; the official
  loader prints a warning. Fold k here is the official ``run_id = k - 1``.
* [O] The official loader keeps every 5th frame, poses and labels alike
  (``sampling_factor = 5``, "to subsample 100 Hz to 20 Hz"). That is the
  default of ``--sampling-factor``. Use ``--sampling-factor 1`` to keep the
  raw rate.
* [T] Each pose sequence is a (T, 17, 3) array: 17 joints with 3D
  coordinates. One third-party loader indexes the raw entries as
  ``seq[:, joint, :]``, and the other reshapes each flattened frame to
  (17, 3). The official loader only flattens each frame, so [O] does not
  state the shape. [R] also reads its own preprocessed TCG-15 files as
  (T, 17, 3).
* [O] ``utils.py`` of the same commit has an unused one-hot helper that
  spells the background ``idle_*``. ``TCGDB.py``, the loader that
  ``main.py`` and ``evaluate.py`` use, spells it ``inactive_*``; only that
  spelling is accepted here.

Unverified:

* The contents of ``joint_dictionary`` (the joint names and order) and
  the unit of the coordinates. The stored order and values are kept.
* The whole content of the zip. The stMLP README shows a
  ``tcg_dataset_2/subj001/...`` folder layout next to the same loader, so
  the zip may hold more than the two files. Only the two files are read.
* Whether ``scene_agents`` is a list indexed by ``agent_number`` or a dict
  keyed by it. Both are accepted.
* The frame rate of the TCG-15 data used by TRG-Net and other segmentation
  papers. Their preprocessed files are not public, and [R] applies no
  temporal downsampling to TCG-15.
* Whether the release has frames that no interval covers, or intervals
  that reach past ``num_frames``. Both are errors here.

Bad sequences are named by file and index: an unknown label string, a
pose count different from ``num_frames``, a pose array that is not
(T, 17, 3), an interval outside the sequence, an unlabelled frame, or
NaN/inf coordinates. ``--skip-bad`` leaves them out and lists them. Without
it, one error names every bad sequence. If ``tcg.json`` and
``tcg_data.npy`` hold different numbers of sequences, the index pairing
cannot be trusted, and that is always an error.
"""
import argparse
import json
import os.path as osp
import re
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmaction_ext.datasets.conversion import (
    ConversionError, check_bad_inputs, check_segmentation_file,
    segmentation_entry, add_output_arguments, add_skip_bad_argument,
    write_converted, InputFileError as TcgFormatError)
from mmaction_ext.datasets.pose_checks import check_pose_annotation
from mmaction_ext.fileio import UnsafePickleError, safe_load_npy

JSON_FILE = 'tcg.json'
DATA_FILE = 'tcg_data.npy'
NUM_JOINTS = 17
KEYPOINT_DIMS = 3
SAMPLING_FACTOR = 5
TEXT_BANK = 'tcg15'

# TCGDB.py TCGFrame.encode_minlabel: "<major>_<minor>" -> class index.
MINOR_TO_INDEX = {
    'inactive_normal-pose': 0,
    'inactive_out-of-vocabulary': 0,
    'inactive_transition': 0,
    'stop_both-static': 1,
    'stop_both-dynamic': 2,
    'stop_left-static': 3,
    'stop_left-dynamic': 4,
    'stop_right-static': 5,
    'stop_right-dynamic': 6,
    'clear_left-static': 7,
    'clear_right-static': 8,
    'go_both-static': 9,
    'go_both-dynamic': 10,
    'go_left-static': 11,
    'go_left-dynamic': 12,
    'go_right-static': 13,
    'go_right-dynamic': 14,
}
# TCGDB.py train_test_sets: fold k = run_id k - 1, (train, test).
# yapf: disable
XSUB_FOLDS = (((1, 2, 3, 4), (5, )),
              ((1, 3, 4, 5), (2, )),
              ((1, 2, 4, 5), (3, )),
              ((1, 2, 3, 5), (4, )),
              ((2, 3, 4, 5), (1, )))
XVIEW_FOLDS = ((('right', 'bottom', 'left'), ('top', )),
               (('right', 'bottom', 'top'), ('left', )),
               (('bottom', 'left', 'top'), ('right', )),
               (('right', 'left', 'top'), ('bottom', )))
# yapf: enable
SEQUENCE_KEYS = ('subject_id', 'scene_agents', 'agent_number', 'annotation',
                 'num_frames')


def class_names() -> List[str]:
    """The 15 class names in index order, checked against the mapping.

    Returns:
        list[str]: ``TextBank('tcg15').labels``.
    """
    from mmaction_ext.text import TextBank
    names = list(TextBank(TEXT_BANK).labels)
    expected = ['inactive'] + [
        name for name, index in sorted(
            MINOR_TO_INDEX.items(), key=lambda item: item[1]) if index > 0
    ]
    if names != expected:
        raise ValueError(f'text bank {TEXT_BANK!r} has classes {names}, '
                         f'but TCGDB.py orders them {expected}')
    return names


def label_index(major: str, minor: str) -> int:
    """Class index of one annotation interval (``TCGDB.encode_minlabel``).

    Args:
        major (str): Major label, e.g. ``'stop'``.
        minor (str): Minor label, e.g. ``'both-static'``.

    Returns:
        int: The index in [0, 15).
    """
    name = f'{major}_{minor}'
    if name not in MINOR_TO_INDEX:
        raise ValueError(f'unknown label {name!r} (major {major!r}, minor '
                         f'{minor!r}); known: {sorted(MINOR_TO_INDEX)}')
    return MINOR_TO_INDEX[name]


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def frame_labels(annotation, num_frames: int) -> np.ndarray:
    """Per-frame class indices from the ``[major, minor, start, end]`` list.

    Args:
        annotation (list): The sequence's ``annotation``.
        num_frames (int): The sequence's ``num_frames``.

    Returns:
        np.ndarray: int64 (num_frames, ).
    """
    if not isinstance(annotation, list):
        raise ValueError(f'"annotation" is a {type(annotation).__name__}, '
                         'expected a list of [major, minor, start, end]')
    labels = np.full(num_frames, -1, np.int64)
    for number, interval in enumerate(annotation):
        if not isinstance(interval, (list, tuple)) or len(interval) != 4:
            raise ValueError(f'annotation interval {number} is {interval!r},'
                             ' expected [major, minor, start, end]')
        major, minor, start, end = interval
        if not (isinstance(major, str) and isinstance(minor, str)):
            raise ValueError(f'annotation interval {number} {interval!r} '
                             'has non-string labels')
        if not (_is_int(start) and _is_int(end)):
            raise ValueError(f'annotation interval {number} {interval!r} '
                             'has non-integer frames')
        if start > end:
            raise ValueError(f'annotation interval {number} {interval!r} '
                             'ends before it starts')
        if start < 0 or end > num_frames:
            raise ValueError(f'annotation interval {number} {interval!r} is '
                             f'outside frames [0, {num_frames})')
        try:
            labels[start:end] = label_index(major, minor)
        except ValueError as err:
            raise ValueError(f'annotation interval {number}: {err}')
    missing = labels < 0
    if missing.any():
        raise ValueError(f'{int(missing.sum())} frame(s) have no annotation '
                         f'interval, first frame {int(np.argmax(missing))}')
    return labels


def viewpoint(sequence: Dict) -> str:
    """``scene_agents[agent_number]["position"]`` of a sequence.

    Args:
        sequence (dict): One entry of ``tcg.json``'s ``sequences``.

    Returns:
        str: The viewpoint, e.g. ``'left'``.
    """
    agents, number = sequence['scene_agents'], sequence['agent_number']
    try:
        if isinstance(agents, dict) and number not in agents:
            number = str(number)
        position = agents[number]['position']
    except (KeyError, IndexError, TypeError) as err:
        raise ValueError(f'scene_agents[{sequence["agent_number"]!r}]'
                         f'["position"] is missing ({err!r})')
    if not isinstance(position, str):
        raise ValueError(f'viewpoint {position!r} is not a string')
    return position


def sequence_name(index: int, subject, view) -> str:
    """The ``frame_dir`` of a sequence.

    Args:
        index (int): Position in ``tcg.json``.
        subject: ``subject_id``.
        view: The viewpoint.

    Returns:
        str: ``tcg_<index>_subject<subject>_<view>``.
    """

    def clean(value) -> str:
        return re.sub(r'[^A-Za-z0-9-]+', '-', str(value))

    return f'tcg_{index:03d}_subject{clean(subject)}_{clean(view)}'


def read_poses(poses, num_frames: int) -> np.ndarray:
    """One entry of ``tcg_data.npy`` as a checked float32 array.

    Args:
        poses: The entry.
        num_frames (int): The sequence's ``num_frames``.

    Returns:
        np.ndarray: float32 (num_frames, 17, 3).
    """
    try:
        poses = np.asarray(poses, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise ValueError(f'pose array is not numeric: {err}')
    if poses.ndim != 3 or poses.shape[1:] != (NUM_JOINTS, KEYPOINT_DIMS):
        raise ValueError(f'pose array has shape {poses.shape}, expected '
                         f'(T, {NUM_JOINTS}, {KEYPOINT_DIMS})')
    if len(poses) != num_frames:
        raise ValueError(f'{len(poses)} poses but num_frames={num_frames}')
    return poses


def convert_sequence(index: int, sequence: Dict, poses,
                     sampling_factor: int) -> Tuple[Dict, Dict]:
    """One sequence as a segmentation entry.

    Args:
        index (int): Position in ``tcg.json`` and ``tcg_data.npy``.
        sequence (dict): The ``tcg.json`` entry.
        poses: The ``tcg_data.npy`` entry.
        sampling_factor (int): Keep every n-th frame.

    Returns:
        tuple[dict, dict]: The entry and ``dict(subject, view)``.
    """
    if not isinstance(sequence, dict):
        raise ValueError(f'is a {type(sequence).__name__}, expected a dict')
    missing = [key for key in SEQUENCE_KEYS if key not in sequence]
    if missing:
        raise ValueError(f'has no {missing}')
    num_frames = sequence['num_frames']
    if not _is_int(num_frames) or num_frames <= 0:
        raise ValueError(f'num_frames is {num_frames!r}, expected an int > 0')
    subject = sequence['subject_id']
    if not isinstance(subject, (int, str)) or isinstance(subject, bool):
        raise ValueError(f'subject_id {subject!r} is not an int or string')
    view = viewpoint(sequence)
    labels = frame_labels(sequence['annotation'], num_frames)
    poses = read_poses(poses, num_frames)
    name = sequence_name(index, subject, view)
    entry = segmentation_entry(name, poses[::sampling_factor][None],
                               labels[::sampling_factor])
    problems = check_pose_annotation(
        dict(entry, label=0), NUM_JOINTS, None, KEYPOINT_DIMS)
    if problems:
        raise ValueError('; '.join(problems))
    return entry, dict(subject=subject, view=view)


def read_release(tcg_dir: str) -> Tuple[List, object]:
    """``tcg.json``'s sequences and the loaded ``tcg_data.npy``.

    Args:
        tcg_dir (str): Folder with both files.

    Returns:
        tuple: The ``sequences`` list and the pose container.
    """
    json_path = osp.join(tcg_dir, JSON_FILE)
    data_path = osp.join(tcg_dir, DATA_FILE)
    for path in (json_path, data_path):
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path} does not exist (--tcg-dir must '
                                    f'hold {JSON_FILE} and {DATA_FILE})')
    try:
        with open(json_path) as f:
            db = json.load(f)
    except (OSError, ValueError) as err:
        raise TcgFormatError(json_path, f'cannot read json: {err}')
    if not isinstance(db, dict) or not isinstance(db.get('sequences'), list):
        raise TcgFormatError(json_path, 'has no "sequences" list')
    try:
        data = safe_load_npy(data_path)
    except (OSError, ValueError, UnsafePickleError) as err:
        raise TcgFormatError(data_path, f'cannot read npy: {err}')
    if np.ndim(data) == 0:
        raise TcgFormatError(
            data_path, 'holds a single object, expected one '
            'pose array per sequence')
    if len(data) != len(db['sequences']):
        raise TcgFormatError(
            data_path, f'has {len(data)} pose sequences but {json_path} '
            f'lists {len(db["sequences"])}; they are paired by index')
    return db['sequences'], data


def protocol_splits(metas: Sequence[Tuple[str, Dict]]) -> Dict[str, list]:
    """The official cross-subject and cross-view folds.

    Args:
        metas (Sequence[tuple[str, dict]]): ``(name, dict(subject, view))``
            per converted sequence.

    Returns:
        dict[str, list[str]]: ``xsub_fold{1..5}_{train,test}`` and
        ``xview_fold{1..4}_{train,test}``.
    """
    splits = {}
    for protocol, key, folds in (('xsub', 'subject', XSUB_FOLDS),
                                 ('xview', 'view', XVIEW_FOLDS)):
        for fold, (train, test) in enumerate(folds, 1):
            for part, members in (('train', train), ('test', test)):
                splits[f'{protocol}_fold{fold}_{part}'] = [
                    name for name, meta in metas if meta[key] in members
                ]
    return splits


def outside_protocols(metas: Sequence[Tuple[str, Dict]]) -> List[str]:
    """Sequences whose subject or viewpoint no official fold names."""
    subjects = set(XSUB_FOLDS[0][0] + XSUB_FOLDS[0][1])
    views = set(XVIEW_FOLDS[0][0] + XVIEW_FOLDS[0][1])
    return [
        f'{name} (subject {meta["subject"]!r}, view {meta["view"]!r})'
        for name, meta in metas
        if meta['subject'] not in subjects or meta['view'] not in views
    ]


def convert(tcg_dir: str,
            sampling_factor: int = SAMPLING_FACTOR,
            skip_bad: bool = False) -> Tuple[Dict, List[str], List[str]]:
    """Convert the TCG release.

    Args:
        tcg_dir (str): Folder with ``tcg.json`` and ``tcg_data.npy``.
        sampling_factor (int): Keep every n-th frame. Defaults to 5, as the
            official loader does (100 Hz -> 20 Hz).
        skip_bad (bool): Leave out bad sequences instead of raising.

    Returns:
        tuple: ``dict(split, classes, annotations)``, the bad sequences as
        ``'where: reason'`` strings, and the sequences outside every
        official fold.
    """
    if not _is_int(sampling_factor) or sampling_factor < 1:
        raise ValueError(f'sampling_factor must be an int >= 1, got '
                         f'{sampling_factor!r}')
    classes = class_names()
    sequences, poses = read_release(tcg_dir)
    json_path = osp.join(tcg_dir, JSON_FILE)
    annotations, metas, bad = [], [], []
    for index, sequence in enumerate(sequences):
        try:
            entry, meta = convert_sequence(index, sequence, poses[index],
                                           sampling_factor)
        except ValueError as err:
            where = f'{json_path} sequence {index} (and {DATA_FILE}[{index}])'
            bad.append(str(TcgFormatError(where, str(err))))
            continue
        annotations.append(entry)
        metas.append((entry['frame_dir'], meta))
    check_bad_inputs(bad, skip_bad)
    data = dict(
        split=protocol_splits(metas), classes=classes, annotations=annotations)
    check_segmentation_file(data, NUM_JOINTS, KEYPOINT_DIMS)
    return data, bad, outside_protocols(metas)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert the TCG release (tcg.json + tcg_data.npy) to a '
        'skeleton segmentation pkl with the 15 sub-class labels')
    parser.add_argument(
        '--tcg-dir',
        required=True,
        help=f'folder with {JSON_FILE} and {DATA_FILE}')
    add_output_arguments(parser)
    parser.add_argument(
        '--sampling-factor',
        type=int,
        default=SAMPLING_FACTOR,
        help='keep every n-th frame (official loader: 5, 100 Hz -> 20 Hz; '
        '1 keeps the raw rate)')
    add_skip_bad_argument(parser, 'sequences that cannot be converted')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        data, bad, outside = convert(args.tcg_dir, args.sampling_factor,
                                     args.skip_bad)
    except (ConversionError, FileNotFoundError, ValueError) as err:
        print(err, file=sys.stderr)
        return 1
    if outside:
        print(
            f'{len(outside)} sequence(s) are in no official fold:\n  ' +
            '\n  '.join(outside),
            file=sys.stderr)
    frames = sum(anno['total_frames'] for anno in data['annotations'])
    return write_converted(
        data,
        args.out,
        bad, f'{len(data["annotations"])} sequences, {frames} frames '
        f'({len(bad)} bad, sampling factor {args.sampling_factor})',
        overwrite=args.overwrite)


if __name__ == '__main__':
    sys.exit(main())
