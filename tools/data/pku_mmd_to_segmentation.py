"""Convert the official PKU-MMD skeletons and labels to a segmentation pkl.

Example::

    python tools/data/pku_mmd_to_segmentation.py \
        --skeleton-dir PKU-MMD/Skeleton --label-dir PKU-MMD/Label \
        --xsub-split PKU-MMD/Split/cross-subject.txt \
        --xview-split PKU-MMD/Split/cross-view.txt \
        --out data/skeleton_segmentation/pku_mmd.pkl

Output (the :class:`SkeletonSegmentationDataset` format)::

    dict(split=dict(xsub_train=[...], xsub_test=[...],
                    xview_train=[...], xview_test=[...]),
         classes=TextBank('pku_mmd').labels,   # 'NONE' + the 51 actions
         annotations=[dict(frame_dir='0002-L', total_frames=T,
                           keypoint=float32 (2, T, 25, 3),
                           frame_labels=int64 (T, )), ...])

Only the protocols whose split file is given are written. Each split file
gives ``<protocol>_train`` (its training list) and ``<protocol>_test`` (its
validation list). The videos converted are those the split files list;
other skeleton files are counted and left out.

Input layout and where each fact comes from:

* Skeleton file ``<video>.txt``: one line per frame, 150 whitespace
  separated numbers = 2 persons x 25 joints x (x, y, z), person-major then
  joint then coordinate (``x1,y1,z1,...,x25,y25,z25`` of person 1, then
  person 2); the second person is all zeros when only one is present.
  Sources: the release's own README.txt (copy in SWENG-2021-G27/
  csv-to-json-har ``datasamples/pkummd/README.txt`` @ d7c4cbbf), ECHO960/
  PKU-MMD ``README.md`` @ 047fc087 ("3x25x2 float numbers", Kinect v2), a
  real file (SWENG-2021-G27/csv-to-json-har ``datasamples/pkummd/v1/
  A10N08-L.txt`` @ 686646b7: space separated, lines may start with a
  space, last 75 values zero). Stored as raw coordinates (metres).
* Joint order: the Kinect v2 JointType order, i.e. the NTU RGB+D order
  (``mmaction_ext/datasets/label_maps/joints_ntu25.txt``). Inferred, not
  stated by
  the official README: kschlegel/DatasetLoader ``datasetloader/pkummd.py``
  @ 758f56af names the 25 joints in this order (pelvis, spine mid, neck,
  head, left shoulder, ..., spine shoulder, hand tips and thumbs), HaoyuJi/
  LaSA ``libs/models/graph/graph.py`` @ d3855e67 uses the NTU bone list
  for PKU, and in the A10N08-L.txt sample joint 3 (head) is the highest
  and joint 20 (spine shoulder) lies between joints 1 and 2.
* Label file ``<video>.txt``: one line per action instance, ``label,start,
  end,confidence`` (4 integers, comma separated; confidence 1 or 2 and not
  used here); labels are 1-based action ids 1..51 (README.md; kschlegel/
  DatasetLoader "Action class ids are one-based in the file"). Frames in
  no interval get class 0 ``NONE``; action ``k`` is class ``k``.
* Frame numbering (UNVERIFIED): the official README does not say whether
  ``start``/``end`` are 0- or 1-based or whether ``end`` is included, and
  ECHO960/PKU-MMD issue #11 ("start frame is 0 or 1?") is unanswered.
  Public loaders disagree: maximyudayev/Realtime-ST-GCN
  ``data_prep/prep.py`` @ a002bc60 labels ``[start, end)`` of 0-based
  frames, an unattributed loader (class ``SkeletonDatasetPKUMMDv1``) labels
  ``[start - 1, end)``, i.e. 1-based with ``end`` included. A real label
  file quoted in ECHO960/PKU-MMD issue #12 has consecutive actions ending
  at 332 and starting at 333, which fits inclusive ends. Here both ends are
  included and frames are 1-based by default (frame ``k`` is keypoint row
  ``k - 1``); ``--zero-based-frames`` reads them as 0-based (row ``k``).
* Overlapping intervals are an error by default (a frame gets one class).
  ECHO960/PKU-MMD issue #12 reports that about half of the phase-2 label
  files overlap; ``--allow-overlap`` lets later lines overwrite earlier
  ones, which is what the per-frame loaders above do, and counts them.
  kschlegel/DatasetLoader also swaps "occasional" reversed intervals
  (start > end); they are an error here.
* Split files (``Split/cross-subject.txt``, ``Split/cross-view.txt``): a
  ``Training videos:`` line, a line of comma separated video names
  (``0002-L, 0002-M, ...``, with a trailing comma), a ``Validataion
  videos:`` line (sic) and the validation names. Sources: the release
  README.txt (file names), kschlegel/DatasetLoader and maximyudayev/
  Realtime-ST-GCN (line 2 = training list split on ``', '``), several
  unattributed loaders split on ``'Validataion videos:'``. Both spellings
  of "validation" are accepted. The release calls the second list
  validation; TRG-Net evaluates on it as the test split
  (github.com/HaoyuJi/TRG-Net @ ec593c67: its shipped PKU-view
  ``val1.csv``, the split it tests on, holds all ``-L`` views), hence the
  ``_test`` names.

The converter does not depend on video names, so it reads phase 1
(``0002-L``) and phase 2 (``A01N01-L``) files alike. Note that the
TRG-Net/DeST/LaSA PKU-MMD data use phase-2 names (lyhisme/DeST
``csv/PKU-view/val1.csv`` @ 3c657839: ``A01N01-L``, ...), and that the
phase-2 split files are reportedly called ``cross_subject_v2.txt`` and
``cross_view_v2.txt`` (unattributed loader ``SkeletonDatasetPKUMMDv2``;
unverified).

Errors name the file and line: a line without 150 values, non-numeric or
non-finite values, an empty skeleton file, a label line without 4
integers, a label outside 1..51, an interval outside the sequence or with
start > end, overlapping intervals, and a listed video without skeleton or
label file. Without ``--skip-bad`` every bad video is listed in one
``ConversionError``; with it, bad videos are left out of the annotations
and splits and reported.
"""
import argparse
import os
import os.path as osp
import re
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmaction_ext.datasets.conversion import (
    ConversionError, check_bad_inputs, check_segmentation_file,
    segmentation_entry, add_output_arguments, add_skip_bad_argument,
    write_converted, InputFileError as PkuFormatError)
from mmaction_ext.text import TextBank

NUM_PERSONS = 2
NUM_JOINTS = 25
NUM_COORDS = 3
VALUES_PER_FRAME = NUM_PERSONS * NUM_JOINTS * NUM_COORDS
NUM_ACTIONS = 51
LABEL_FIELDS = 4  # label, start, end, confidence
PROTOCOLS = ('xsub', 'xview')
HEADER_RE = re.compile(
    r'\s*(training|validataion|validation)\s+videos\s*:'
    r'(.*)', re.IGNORECASE)
HEADER_PART = dict(training='train', validataion='test', validation='test')
NAME_RE = re.compile(r'[A-Za-z0-9][A-Za-z0-9_.-]*')


def _read_lines(path: str) -> List[str]:
    """Lines of a text file, without trailing blank lines."""
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise PkuFormatError(path, f'cannot read: {err}')
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def read_skeleton_file(path: str) -> np.ndarray:
    """Joint coordinates of one skeleton file.

    Args:
        path (str): ``.../<video>.txt`` with 150 numbers per line.

    Returns:
        np.ndarray: float32 (2, T, 25, 3) raw coordinates.
    """
    lines = _read_lines(path)
    if not lines:
        raise PkuFormatError(path, 'has no frames')
    frames = np.empty((len(lines), VALUES_PER_FRAME), np.float32)
    for index, text in enumerate(lines):
        values = text.split()
        if len(values) != VALUES_PER_FRAME:
            raise PkuFormatError(
                path, f'expected {VALUES_PER_FRAME} values (2 persons x 25 '
                f'joints x (x, y, z)), got {len(values)}', index + 1)
        try:
            frames[index] = np.array(values, dtype=np.float64)
        except ValueError:
            raise PkuFormatError(
                path, f'non-numeric value {_first_non_number(values)!r}',
                index + 1)
    finite = np.isfinite(frames).all(axis=1)
    if not finite.all():
        raise PkuFormatError(path, 'has NaN/inf values',
                             int(np.argmin(finite)) + 1)
    keypoint = frames.reshape(len(lines), NUM_PERSONS, NUM_JOINTS, NUM_COORDS)
    return np.ascontiguousarray(keypoint.transpose(1, 0, 2, 3))


def _first_non_number(values: Sequence[str]) -> str:
    """The first of ``values`` that ``float`` rejects."""
    for value in values:
        try:
            float(value)
        except ValueError:
            return value
    return ''


def read_label_file(path: str) -> List[Tuple[int, int, int, int]]:
    """Action instances of one label file (blank lines are skipped).

    Args:
        path (str): ``.../<video>.txt`` with ``label,start,end,confidence``
            lines.

    Returns:
        list[tuple]: ``(line, label, start, end)`` per instance, with the
        1-based line number and the values as written.
    """
    instances = []
    for index, text in enumerate(_read_lines(path), 1):
        if not text.strip():
            continue
        fields = [field.strip() for field in text.split(',')]
        if len(fields) != LABEL_FIELDS:
            raise PkuFormatError(
                path, f'expected {LABEL_FIELDS} comma separated values '
                f'(label,start,end,confidence), got {len(fields)}', index)
        try:
            label, start, end, _ = (int(field) for field in fields)
        except ValueError:
            raise PkuFormatError(path,
                                 f'non-integer value in {text.strip()!r}',
                                 index)
        if not 1 <= label <= NUM_ACTIONS:
            raise PkuFormatError(path,
                                 f'label {label} is outside 1..{NUM_ACTIONS}',
                                 index)
        instances.append((index, label, start, end))
    return instances


def intervals_to_frame_labels(
        instances: Sequence[Tuple[int, int, int, int]],
        num_frames: int,
        path: str,
        zero_based: bool = False,
        allow_overlap: bool = False) -> Tuple[np.ndarray, bool]:
    """Per-frame classes of the action instances of one video.

    Both ``start`` and ``end`` are included; frame numbers are 1-based
    unless ``zero_based``.

    Args:
        instances (Sequence[tuple]): ``(line, label, start, end)`` as
            returned by :func:`read_label_file`.
        num_frames (int): Frames T of the skeleton file.
        path (str): The label file, for error messages.
        zero_based (bool): Frame numbers start at 0. Defaults to False.
        allow_overlap (bool): Later instances overwrite earlier ones instead
            of raising. Defaults to False.

    Returns:
        tuple: int64 (T, ) classes (0 = NONE, k = action k) and whether any
        intervals overlapped.
    """
    base = 0 if zero_based else 1
    labels = np.zeros(num_frames, np.int64)
    owner = np.zeros(num_frames, np.int64)  # label line of each frame
    overlapped = False
    for line, label, start, end in instances:
        if start > end:
            raise PkuFormatError(path, f'start {start} > end {end}', line)
        first, last = start - base, end - base
        if first < 0 or last >= num_frames:
            raise PkuFormatError(
                path, f'interval {start}..{end} is outside the sequence: '
                f'the skeleton file has {num_frames} frames, numbered '
                f'{base}..{num_frames - 1 + base}', line)
        taken = owner[first:last + 1]
        if taken.any():
            if not allow_overlap:
                raise PkuFormatError(
                    path, f'interval {start}..{end} overlaps the interval '
                    f'on line {int(taken[taken > 0][0])}', line)
            overlapped = True
        labels[first:last + 1] = label
        owner[first:last + 1] = line
    return labels, overlapped


def read_split_file(path: str) -> Dict[str, List[str]]:
    """Training and validation videos of an official split file.

    Args:
        path (str): ``cross-subject.txt`` or ``cross-view.txt``.

    Returns:
        dict[str, list[str]]: ``train`` (training videos) and ``test``
        (validation videos), in file order.
    """
    parts: Dict[str, List[str]] = {}
    seen: Dict[str, int] = {}
    part = None
    for index, text in enumerate(_read_lines(path), 1):
        header = HEADER_RE.fullmatch(text)
        if header:
            part = HEADER_PART[header.group(1).lower()]
            if part in parts:
                raise PkuFormatError(path, f'second {header.group(1)!r} '
                                     'header', index)
            parts[part] = []
            text = header.group(2)
        elif text.strip() and part is None:
            raise PkuFormatError(
                path, 'video names before the "Training videos:" line', index)
        for name in (n.strip() for n in text.split(',')):
            if not name:
                continue
            if not NAME_RE.fullmatch(name):
                raise PkuFormatError(path, f'{name!r} is not a video name',
                                     index)
            if name in seen:
                raise PkuFormatError(
                    path, f'{name} is listed again (first on line '
                    f'{seen[name]})', index)
            seen[name] = index
            parts[part].append(name)
    for part, header in (('train', 'Training'), ('test', 'Validataion')):
        if not parts.get(part):
            raise PkuFormatError(path, f'no "{header} videos:" list')
    return parts


def convert_video(name: str,
                  skeleton_dir: str,
                  label_dir: str,
                  listed_in: str,
                  zero_based: bool = False,
                  allow_overlap: bool = False) -> Tuple[Dict, bool]:
    """One video as a segmentation annotation.

    Args:
        name (str): The video, e.g. ``'0002-L'``.
        skeleton_dir (str): Folder of the skeleton files.
        label_dir (str): Folder of the label files.
        listed_in (str): A split file listing the video (for messages).
        zero_based (bool): See :func:`intervals_to_frame_labels`.
        allow_overlap (bool): See :func:`intervals_to_frame_labels`.

    Returns:
        tuple: The annotation (``frame_dir``, ``total_frames``, ``keypoint``
        (2, T, 25, 3), ``frame_labels`` (T, )) and whether its intervals
        overlapped.
    """
    paths = [
        osp.join(folder, f'{name}.txt') for folder in (skeleton_dir, label_dir)
    ]
    for path in paths:
        if not osp.isfile(path):
            raise PkuFormatError(path, f'missing, but {listed_in} lists '
                                 f'{name}')
    keypoint = read_skeleton_file(paths[0])
    labels, overlapped = intervals_to_frame_labels(
        read_label_file(paths[1]), keypoint.shape[1], paths[1], zero_based,
        allow_overlap)
    return segmentation_entry(name, keypoint, labels), overlapped


def pku_mmd_classes() -> List[str]:
    """``'NONE'`` + the 51 action names, from the ``pku_mmd`` text bank."""
    classes = list(TextBank('pku_mmd').labels)
    if len(classes) != NUM_ACTIONS + 1:
        raise ValueError(f'the pku_mmd text bank has {len(classes)} classes, '
                         f'expected {NUM_ACTIONS + 1} (NONE + 51 actions)')
    return classes


def convert(skeleton_dir: str,
            label_dir: str,
            split_files: Dict[str, str],
            skip_bad: bool = False,
            zero_based: bool = False,
            allow_overlap: bool = False) -> Tuple[Dict, List[str], Dict]:
    """Convert the videos that the split files list.

    Args:
        skeleton_dir (str): Folder of ``<video>.txt`` skeleton files.
        label_dir (str): Folder of ``<video>.txt`` label files.
        split_files (dict[str, str]): Protocol (``'xsub'``, ``'xview'``) to
            its official split file.
        skip_bad (bool): Leave out bad videos instead of raising.
        zero_based (bool): Label frame numbers start at 0.
        allow_overlap (bool): Later label lines overwrite earlier ones.

    Returns:
        tuple: ``dict(split, classes, annotations)``, the bad videos as
        ``'path[:line]: reason'`` strings and ``dict(unlisted=..,
        overlapping=..)`` counts (skeleton files in no list, videos with
        overlapping intervals).
    """
    if not split_files:
        raise ValueError('give at least one split file')
    for folder in (skeleton_dir, label_dir):
        if not osp.isdir(folder):
            raise FileNotFoundError(f'{folder!r} is not a directory')
    lists = {p: read_split_file(path) for p, path in split_files.items()}
    listed_in: Dict[str, str] = {}
    for protocol, parts in lists.items():
        for names in parts.values():
            for name in names:
                listed_in.setdefault(name, split_files[protocol])
    annotations, bad, overlapping = [], [], 0
    for name in sorted(listed_in):
        try:
            anno, overlapped = convert_video(name, skeleton_dir, label_dir,
                                             listed_in[name], zero_based,
                                             allow_overlap)
        except PkuFormatError as err:
            bad.append(str(err))
            continue
        annotations.append(anno)
        overlapping += overlapped
    check_bad_inputs(bad, skip_bad)
    if not annotations:
        raise ConversionError('no video could be converted')
    present = {anno['frame_dir'] for anno in annotations}
    splits = {
        f'{protocol}_{part}': [n for n in names if n in present]
        for protocol, parts in lists.items()
        for part, names in parts.items()
    }
    data = dict(
        split=splits, classes=pku_mmd_classes(), annotations=annotations)
    check_segmentation_file(data, NUM_JOINTS, NUM_COORDS)
    unlisted = sum(1 for f in os.listdir(skeleton_dir)
                   if f.endswith('.txt') and f[:-4] not in listed_in)
    return data, bad, dict(unlisted=unlisted, overlapping=overlapping)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert PKU-MMD skeleton and label files to a skeleton '
        'segmentation pkl')
    parser.add_argument(
        '--skeleton-dir',
        required=True,
        help='folder of <video>.txt '
        'skeleton files (150 numbers per line)')
    parser.add_argument(
        '--label-dir',
        required=True,
        help='folder of <video>.txt label '
        'files (label,start,end,confidence lines)')
    parser.add_argument(
        '--xsub-split',
        help='official Split/cross-subject.txt: writes '
        'xsub_train and xsub_test')
    parser.add_argument(
        '--xview-split',
        help='official Split/cross-view.txt: writes '
        'xview_train and xview_test')
    add_output_arguments(parser)
    parser.add_argument(
        '--zero-based-frames',
        action='store_true',
        help='label frame numbers start at 0 (default: 1); both start and '
        'end frames are labelled either way')
    parser.add_argument(
        '--allow-overlap',
        action='store_true',
        help='let later label lines overwrite earlier overlapping ones '
        'instead of rejecting the video')
    add_skip_bad_argument(parser, 'videos that cannot be converted')
    args = parser.parse_args(argv)
    if not (args.xsub_split or args.xview_split):
        parser.error('give --xsub-split and/or --xview-split')
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    split_files = {
        protocol: path
        for protocol, path in zip(PROTOCOLS, (args.xsub_split,
                                              args.xview_split)) if path
    }
    try:
        data, bad, stats = convert(args.skeleton_dir, args.label_dir,
                                   split_files, args.skip_bad,
                                   args.zero_based_frames, args.allow_overlap)
    except (ConversionError, PkuFormatError) as err:
        print(err, file=sys.stderr)
        return 1
    return write_converted(
        data,
        args.out,
        bad, f'{len(data["annotations"])} videos ({len(bad)} bad, '
        f'{stats["overlapping"]} with overlapping intervals, '
        f'{stats["unlisted"]} skeleton files in no split list)',
        overwrite=args.overwrite)


if __name__ == '__main__':
    sys.exit(main())
