"""Convert raw NTU RGB+D (60) / NTU RGB+D 120 ``.skeleton`` files to pkl.

Example::

    python tools/data/ntu_skeleton_to_pkl.py \
        --skeleton-dir nturgb+d_skeletons/ --benchmark ntu120 \
        --ignore NTU_RGBD120_samples_with_missing_skeletons.txt \
        --label-map ntu120.txt --workers 8 --out data/skeleton/ntu120_3d.pkl

The output is MMAction2's ``PoseDataset`` format::

    dict(split=dict(xsub_train=[name, ...], xsub_val=[...], ...),
         annotations=[dict(frame_dir=name, label=int, total_frames=T,
                           img_shape=(1080, 1920),
                           original_shape=(1080, 1920),
                           keypoint=float32 (M, T, 25, 3)), ...])

with the 3D camera coordinates (x, y, z, metres) of the 25 Kinect v2 joints.

File format (shahroudy/NTURGB-D ``Matlab/read_skeleton_file.m``): a frame
count; per frame a body count; per body a line of 10 values (bodyID,
clippedEdges, handLeftConfidence, handLeftState, handRightConfidence,
handRightState, isRestricted, leanX, leanY, trackingState), the joint count
(25) and one line of 12 values per joint (x y z depthX depthY colorX colorY
orientationW X Y Z trackingState).

Bodies: each ``bodyID`` is one track. At most two tracks are kept, those
with the largest motion, where the motion of a track is the summed
per-axis variance of all its joint positions (the ``motion`` of the
CTR-GCN / SGN preprocessing, ``get_raw_skes_data.py``); person 0 is the
track with the largest motion. This is simpler than CTR-GCN's full
denoising (``get_raw_denoised_data.py``), which also drops tracks of at
most 11 frames and tracks whose X/Y spread looks like furniture, merges
non-overlapping tracks into one actor and translates/aligns sequences; none
of that is done here (translation and alignment are pipeline transforms in
MMAction2). Frames where no kept body is present (e.g. frames with no body
at all) are dropped; a kept body missing in a frame is zero there.

Splits (the official protocols): NTU60 ``xsub`` (20 training subjects) and
``xview`` (cameras 2 and 3 train); NTU120 ``xsub`` (53 training subjects)
and ``xset`` (even setup numbers train). ``--benchmark ntu60`` uses only the
NTU60 setups S001-S017 and skips the others. ``label = A - 1``.
"""
import argparse
import os
import os.path as osp
import re
import sys
from multiprocessing import Pool
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from mmaction_ext.datasets.conversion import (ConversionError,
                                              add_output_arguments,
                                              add_skip_bad_argument,
                                              check_bad_inputs,
                                              write_converted)
from mmaction_ext.datasets.pose_checks import check_pose_annotation

NAME_RE = re.compile(r'S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})')
NUM_JOINTS = 25
MAX_BODIES = 2
BODY_FIELDS = 10
JOINT_FIELDS = 12
IMG_SHAPE = (1080, 1920)
NUM_CLASSES = dict(ntu60=60, ntu120=120)
NTU60_LAST_SETUP = 17

# Shahroudy et al., CVPR 2016, Sec. 4.1 (cross-subject training subjects).
NTU60_XSUB_TRAIN = (1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28,
                    31, 34, 35, 38)
NTU60_XVIEW_TRAIN = (2, 3)  # cameras
# Liu et al., TPAMI 2019 (NTU RGB+D 120), cross-subject training subjects;
# the same list as CTR-GCN data/ntu120/seq_transformation.py.
NTU120_XSUB_TRAIN = NTU60_XSUB_TRAIN + (
    45, 46, 47, 49, 50, 52, 53, 54, 55, 56, 57, 58, 59, 70, 74, 78, 80, 81, 82,
    83, 84, 85, 86, 89, 91, 92, 93, 94, 95, 97, 98, 100, 103)


class SkeletonFormatError(ValueError):
    """A ``.skeleton`` file that cannot be converted.

    Args:
        path (str): The file.
        line (int, optional): 1-based line number of the problem.
        reason (str): What is wrong.
    """

    def __init__(self, path: str, line: Optional[int], reason: str) -> None:
        where = f'{path}:{line}' if line else path
        super().__init__(f'{where}: {reason}')


def parse_name(name: str) -> Dict[str, int]:
    """Fields of a sample name ``SsssCcccPpppRrrrAaaa``.

    Args:
        name (str): File stem, e.g. ``'S001C002P003R002A013'``.

    Returns:
        dict: ``setup``, ``camera``, ``subject``, ``replication``,
        ``action`` (all 1-based ints), or an empty dict for other names.
    """
    match = NAME_RE.fullmatch(name)
    if match is None:
        return {}
    keys = ('setup', 'camera', 'subject', 'replication', 'action')
    return dict(zip(keys, map(int, match.groups())))


class _Lines:
    """Line cursor over a ``.skeleton`` file that reports line numbers.

    Args:
        path (str): The file, used in error messages.
        lines (list[str]): Its lines.
    """

    def __init__(self, path: str, lines: List[str]) -> None:
        self.path = path
        self.lines = lines
        self.index = 0

    def fields(self, count: int, what: str) -> List[str]:
        """The next line split on whitespace, which must have ``count``."""
        if self.index >= len(self.lines):
            raise SkeletonFormatError(self.path, len(self.lines),
                                      f'file ends early, expected {what}')
        fields = self.lines[self.index].split()
        self.index += 1
        if len(fields) != count:
            raise SkeletonFormatError(
                self.path, self.index,
                f'expected {what} ({count} values), got {len(fields)} '
                f'values: {self.lines[self.index - 1].strip()[:80]!r}')
        return fields

    def integer(self, what: str) -> int:
        """The next line as one non-negative integer."""
        text = self.fields(1, what)[0]
        if not text.isdigit():
            raise SkeletonFormatError(self.path, self.index,
                                      f'expected {what}, got {text!r}')
        return int(text)

    def floats(self, fields: List[str], what: str) -> List[float]:
        """``fields`` of the current line as floats."""
        try:
            return [float(x) for x in fields]
        except ValueError as err:
            raise SkeletonFormatError(self.path, self.index,
                                      f'bad number in {what}: {err}')

    def check_end(self) -> None:
        """Only blank lines may follow the last frame."""
        rest = [
            i for i in range(self.index, len(self.lines))
            if self.lines[i].strip()
        ]
        if rest:
            raise SkeletonFormatError(
                self.path, rest[0] + 1,
                'unexpected content after the last frame')


def _read_body(lines: _Lines) -> Tuple[str, np.ndarray]:
    """One body record: its ID and joints (25, 3)."""
    body_id = lines.fields(BODY_FIELDS, 'a body info line')[0]
    num_joints = lines.integer('the joint count')
    if num_joints != NUM_JOINTS:
        raise SkeletonFormatError(
            lines.path, lines.index,
            f'expected {NUM_JOINTS} joints, got {num_joints}')
    joints = []
    for _ in range(num_joints):
        fields = lines.fields(JOINT_FIELDS, 'a joint line')
        joints.append(lines.floats(fields[:3], 'a joint line'))
    return body_id, np.array(joints, dtype=np.float32)


def read_skeleton_file(path: str) -> List[List[Tuple[str, np.ndarray]]]:
    """Parse one ``.skeleton`` file.

    Args:
        path (str): The file.

    Returns:
        list[list[tuple[str, np.ndarray]]]: Per frame, the bodies as
        ``(bodyID, joints)`` with joints float32 (25, 3) = x, y, z.

    Raises:
        SkeletonFormatError: Naming the file and line of the problem.
    """
    try:
        with open(path, encoding='ascii') as f:
            lines = _Lines(path, f.read().splitlines())
    except (OSError, UnicodeDecodeError) as err:
        raise SkeletonFormatError(path, None, f'cannot read: {err}')
    frames = []
    for _ in range(lines.integer('the frame count')):
        num_bodies = lines.integer('a body count')
        frames.append([_read_body(lines) for _ in range(num_bodies)])
    lines.check_end()
    return frames


def _tracks(frames: Sequence[Sequence[Tuple[str, np.ndarray]]]) -> Dict:
    """Group bodies by ID: ``{id: (frame indices, joints (n, 25, 3))}``."""
    tracks = {}
    for t, bodies in enumerate(frames):
        seen = set()
        for body_id, joints in bodies:
            key = body_id
            while key in seen:  # a repeated ID within a frame: a new track
                key += '+'
            seen.add(key)
            tracks.setdefault(key, ([], []))
            tracks[key][0].append(t)
            tracks[key][1].append(joints)
    return {k: (np.array(ts), np.stack(js)) for k, (ts, js) in tracks.items()}


def track_motion(joints: np.ndarray) -> float:
    """Motion of one track: summed per-axis variance of its joints.

    Args:
        joints (np.ndarray): (n, 25, 3) positions over the track's frames.

    Returns:
        float: ``sum(var(joints.reshape(-1, 3), axis=0))``.
    """
    return float(
        np.var(joints.reshape(-1, 3).astype(np.float64), axis=0).sum())


def select_bodies(frames: Sequence[Sequence[Tuple[str, np.ndarray]]],
                  path: str = '',
                  max_bodies: int = MAX_BODIES) -> np.ndarray:
    """Keep the tracks with the largest motion and drop empty frames.

    Args:
        frames (list): Output of :func:`read_skeleton_file`.
        path (str): File name for error messages.
        max_bodies (int): Tracks to keep. Defaults to 2.

    Returns:
        np.ndarray: float32 (M, T, 25, 3), M <= ``max_bodies`` ordered by
        decreasing motion (ties: first appearance), T = frames where a kept
        track is present.
    """
    tracks = _tracks(frames)
    if not tracks:
        raise SkeletonFormatError(
            path, None, 'no body in any frame (a sample with missing '
            'skeletons? pass the official list with --ignore)')
    order = sorted(tracks, key=lambda k: -track_motion(tracks[k][1]))
    kept = order[:max_bodies]
    keypoint = np.zeros((len(kept), len(frames), NUM_JOINTS, 3), np.float32)
    for m, key in enumerate(kept):
        keypoint[m, tracks[key][0]] = tracks[key][1]
    present = np.zeros(len(frames), bool)
    for key in kept:
        present[tracks[key][0]] = True
    return keypoint[:, present]


def convert_file(path: str) -> Dict:
    """Convert one ``.skeleton`` file to a PoseDataset annotation.

    Args:
        path (str): ``.../SsssCcccPpppRrrrAaaa.skeleton``.

    Returns:
        dict: ``frame_dir``, ``label`` (A - 1), ``total_frames``,
        ``img_shape``, ``original_shape``, ``keypoint`` (M, T, 25, 3).
    """
    name = osp.splitext(osp.basename(path))[0]
    fields = parse_name(name)
    if not fields:
        raise SkeletonFormatError(path, None,
                                  'name is not SsssCcccPpppRrrrAaaa')
    keypoint = select_bodies(read_skeleton_file(path), path)
    return dict(
        frame_dir=name,
        label=fields['action'] - 1,
        total_frames=keypoint.shape[1],
        img_shape=IMG_SHAPE,
        original_shape=IMG_SHAPE,
        keypoint=keypoint)


def _convert_safely(path: str) -> Tuple[Optional[Dict], str]:
    """:func:`convert_file` that returns the error text instead."""
    try:
        return convert_file(path), ''
    except SkeletonFormatError as err:
        return None, str(err)


def read_name_list(path: str) -> List[str]:
    """Sample names in a text file, e.g. NTU's missing-skeleton list.

    Lines that are not a sample name (such as the header of the official
    ``NTU_RGBD*_samples_with_missing_skeletons.txt``) are ignored.

    Args:
        path (str): Text file, one name per line (``.skeleton`` optional).

    Returns:
        list[str]: The names.
    """
    with open(path) as f:
        stems = (osp.splitext(line.strip())[0] for line in f)
        return [s for s in stems if NAME_RE.fullmatch(s)]


def read_label_map(path: str, num_classes: int) -> List[str]:
    """Class names (non-comment lines) of a label file such as ntu120.txt.

    Args:
        path (str): One class per line; ``#`` lines are comments.
        num_classes (int): Classes the benchmark needs.

    Returns:
        list[str]: The first ``num_classes`` names.
    """
    with open(path, encoding='utf-8') as f:
        names = [s.strip() for s in f if s.strip() and not s.startswith('#')]
    if len(names) < num_classes:
        raise ValueError(f'{path} lists {len(names)} classes, the '
                         f'benchmark needs {num_classes}')
    return names[:num_classes]


def make_splits(names: Iterable[str], benchmark: str) -> Dict[str, List]:
    """The official train/val splits.

    Args:
        names (Iterable[str]): Sample names.
        benchmark (str): ``'ntu60'`` (xsub, xview) or ``'ntu120'`` (xsub,
            xset).

    Returns:
        dict[str, list[str]]: ``{protocol}_train`` / ``{protocol}_val``.
    """
    if benchmark == 'ntu60':
        rules = dict(
            xsub=lambda f: f['subject'] in NTU60_XSUB_TRAIN,
            xview=lambda f: f['camera'] in NTU60_XVIEW_TRAIN)
    else:
        rules = dict(
            xsub=lambda f: f['subject'] in NTU120_XSUB_TRAIN,
            xset=lambda f: f['setup'] % 2 == 0)
    splits = {}
    for protocol, is_train in rules.items():
        splits[f'{protocol}_train'], splits[f'{protocol}_val'] = [], []
        for name in names:
            part = 'train' if is_train(parse_name(name)) else 'val'
            splits[f'{protocol}_{part}'].append(name)
    return splits


def find_skeleton_files(dirs: Sequence[str]) -> Tuple[List[str], List]:
    """``.skeleton`` files in ``dirs`` (not recursive), sorted by name.

    Returns:
        tuple: The paths, and ``(path, reason)`` of duplicated names.
    """
    paths, seen, bad = [], {}, []
    for folder in dirs:
        if not osp.isdir(folder):
            raise FileNotFoundError(f'--skeleton-dir {folder!r} is not a '
                                    'directory')
        for entry in sorted(os.listdir(folder)):
            if not entry.endswith('.skeleton'):
                continue
            path = osp.join(folder, entry)
            if entry in seen:
                bad.append(f'{path}: duplicate of {seen[entry]}')
                continue
            seen[entry] = path
            paths.append(path)
    return sorted(paths, key=osp.basename), bad


def _select_files(paths: List[str], benchmark: str, ignore: set,
                  num_classes: int) -> Tuple[List[str], List[str], Dict]:
    """Drop ignored / out-of-benchmark files, flag bad names and labels."""
    keep, bad, stats = [], [], dict(ignored=0, other_benchmark=0)
    for path in paths:
        name = osp.splitext(osp.basename(path))[0]
        fields = parse_name(name)
        if name in ignore:
            stats['ignored'] += 1
        elif not fields:
            bad.append(f'{path}: name is not SsssCcccPpppRrrrAaaa')
        elif benchmark == 'ntu60' and fields['setup'] > NTU60_LAST_SETUP:
            stats['other_benchmark'] += 1
        elif not 1 <= fields['action'] <= num_classes:
            bad.append(f'{path}: action A{fields["action"]:03d} is outside '
                       f'the {num_classes} classes of {benchmark}')
        else:
            keep.append(path)
    return keep, bad, stats


def _check(anno: Dict, num_classes: int) -> List[str]:
    """``check_pose_annotation`` problems of a converted sample."""
    return check_pose_annotation(
        anno, num_joints=NUM_JOINTS, num_classes=num_classes, keypoint_dims=3)


def _run(paths: List[str], workers: int) -> Iterable:
    """``_convert_safely`` over ``paths``, in order, with a process pool."""
    if workers <= 1:
        return map(_convert_safely, paths)
    chunk = max(1, min(64, len(paths) // (4 * workers)))
    with Pool(workers) as pool:
        return pool.map(_convert_safely, paths, chunksize=chunk)


def convert(skeleton_dirs: Sequence[str],
            benchmark: str = 'ntu60',
            ignore: Optional[str] = None,
            label_map: Optional[str] = None,
            workers: int = 1,
            skip_bad: bool = False) -> Tuple[Dict, List[str], Dict]:
    """Convert a folder (or folders) of ``.skeleton`` files.

    Args:
        skeleton_dirs (Sequence[str]): Folders with the ``.skeleton`` files.
        benchmark (str): ``'ntu60'`` or ``'ntu120'``.
        ignore (str, optional): File listing samples to leave out.
        label_map (str, optional): Class-name file (ntu120.txt) to check
            that it has the benchmark's 60 / 120 classes.
        workers (int): Parallel processes. Defaults to 1.
        skip_bad (bool): Leave out bad files instead of raising.

    Returns:
        tuple: The pkl content ``dict(split, annotations)``, the bad files
        as ``'path[:line]: reason'`` strings, and counts (``ignored``,
        ``other_benchmark``).

    Raises:
        ConversionError: If files are bad and ``skip_bad`` is False.
    """
    if benchmark not in NUM_CLASSES:
        raise ValueError(f'unknown benchmark {benchmark!r}')
    num_classes = NUM_CLASSES[benchmark]
    if label_map:
        read_label_map(label_map, num_classes)
    if isinstance(skeleton_dirs, str):
        skeleton_dirs = [skeleton_dirs]
    paths, bad = find_skeleton_files(skeleton_dirs)
    ignored = set(read_name_list(ignore)) if ignore else set()
    paths, bad_names, stats = _select_files(paths, benchmark, ignored,
                                            num_classes)
    bad += bad_names
    annotations = []
    for path, (anno, error) in zip(paths, _run(paths, workers)):
        problems = [error] if error else [
            f'{path}: {p}' for p in _check(anno, num_classes)
        ]
        bad += problems
        if not problems:
            annotations.append(anno)
    check_bad_inputs(bad, skip_bad)
    names = [anno['frame_dir'] for anno in annotations]
    return dict(
        split=make_splits(names, benchmark),
        annotations=annotations), bad, stats


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert NTU RGB+D .skeleton files to a PoseDataset pkl')
    parser.add_argument(
        '--skeleton-dir',
        nargs='+',
        required=True,
        help='folder(s) with the .skeleton files')
    add_output_arguments(parser)
    parser.add_argument(
        '--benchmark', choices=sorted(NUM_CLASSES), default='ntu60')
    parser.add_argument(
        '--ignore',
        help='file listing samples to leave out, e.g. the official '
        'NTU_RGBD(120)_samples_with_missing_skeletons.txt')
    parser.add_argument(
        '--label-map', help='class names (ntu120.txt) to check the labels')
    parser.add_argument(
        '--workers', type=int, default=1, help='parallel processes')
    add_skip_bad_argument(parser, 'files that cannot be parsed')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        data, bad, stats = convert(args.skeleton_dir, args.benchmark,
                                   args.ignore, args.label_map, args.workers,
                                   args.skip_bad)
    except ConversionError as err:
        print(err, file=sys.stderr)
        return 1
    return write_converted(
        data,
        args.out,
        bad,
        f'{len(data["annotations"])} samples ({stats["ignored"]} ignored, '
        f'{stats["other_benchmark"]} not in {args.benchmark}, {len(bad)} '
        f'bad)',
        overwrite=args.overwrite)


if __name__ == '__main__':
    sys.exit(main())
