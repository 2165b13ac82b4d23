"""Shared pieces of the dataset converters in tools/data/."""
import csv
import os.path as osp
import re
import sys
from typing import Dict, List, Optional

import numpy as np

from ..fileio import atomic_dump
from .pose_checks import check_pose_annotation


class ConversionError(RuntimeError):
    """Raised when some input files are bad and ``skip_bad`` is off."""


class InputFileError(ValueError):
    """An input file (or one line of it) that cannot be converted.

    Args:
        path (str): The file, or the file and the record in it.
        reason (str): What is wrong.
        line (int, optional): 1-based line number of the problem.
    """

    def __init__(self,
                 path: str,
                 reason: str,
                 line: Optional[int] = None) -> None:
        where = f'{path}:{line}' if line else path
        super().__init__(f'{where}: {reason}')


def normalise_class_name(name: str) -> str:
    """Lower-case letters and digits only, to match class names whose
    spelling differs in case, spaces or punctuation between releases."""
    return re.sub(r'[^0-9a-z]', '', name.lower())


def read_feature_list(path: str) -> List[str]:
    """The videos of a DeST / TRG-Net split list (``csv/<DATASET>/*.csv``).

    Args:
        path (str): A csv with a header ``feature,label,boundary`` and one
            row per video, e.g. ``./dataset/LARA/features/<video>.npy,...``.

    Returns:
        list[str]: Video names (``feature`` file names without the
        extension), in order, each once.

    Raises:
        InputFileError: If the file has no ``feature`` column.
    """
    with open(path, newline='', encoding='utf-8') as f:
        reader = csv.DictReader(f)
        if 'feature' not in (reader.fieldnames or []):
            raise InputFileError(path, 'has no "feature" column')
        videos = [
            osp.splitext(osp.basename(row['feature'].strip()))[0]
            for row in reader if (row['feature'] or '').strip()
        ]
    return list(dict.fromkeys(videos))


def bad_files_report(bad: List[str], limit: int = 20) -> str:
    """Human-readable list of bad input files (at most ``limit`` shown)."""
    lines = [f'{len(bad)} bad file(s) (use --skip-bad to leave them out):']
    lines += [f'  {b}' for b in bad[:limit]]
    if len(bad) > limit:
        lines.append(f'  ... and {len(bad) - limit} more')
    return '\n'.join(lines)


def check_bad_inputs(bad: List[str], skip_bad: bool) -> None:
    """Stop a conversion that met bad inputs, unless they may be left out.

    Args:
        bad (list[str]): The bad inputs as ``'path: reason'`` strings.
        skip_bad (bool): Leave them out (``--skip-bad``) instead.

    Raises:
        ConversionError: Listing ``bad`` if any and ``skip_bad`` is off.
    """
    if bad and not skip_bad:
        raise ConversionError(bad_files_report(bad))


def keep_converted(lists: Dict[str, List[str]],
                   annotations: List[Dict]) -> Dict[str, List[str]]:
    """Split lists restricted to the sequences that were converted.

    Args:
        lists (dict[str, list[str]]): Split name -> sequence names, e.g.
            from official list files.
        annotations (list[dict]): The converted sequences.

    Returns:
        dict[str, list[str]]: The same splits, each keeping the names that
        are a ``frame_dir`` of ``annotations``, in list order.
    """
    converted = {anno['frame_dir'] for anno in annotations}
    return {
        split: [name for name in names if name in converted]
        for split, names in lists.items()
    }


def segmentation_entry(name: str, keypoint: np.ndarray,
                       frame_labels: np.ndarray) -> Dict:
    """One sequence of the :class:`SkeletonSegmentationDataset` format.

    Args:
        name (str): The sequence name (``frame_dir``).
        keypoint (np.ndarray): (M, T, V, C) joint coordinates.
        frame_labels (np.ndarray): (T, ) class index per frame.

    Returns:
        dict: ``frame_dir``, ``total_frames``, ``keypoint`` float32 and
        ``frame_labels`` int64.
    """
    keypoint = np.asarray(keypoint, np.float32)
    return dict(
        frame_dir=name,
        total_frames=int(keypoint.shape[1]) if keypoint.ndim == 4 else 0,
        keypoint=keypoint,
        frame_labels=np.asarray(frame_labels, np.int64))


def check_segmentation_file(data: Dict,
                            num_joints: Optional[int] = None,
                            keypoint_dims: Optional[int] = None) -> None:
    """Check a converted segmentation file before it is written.

    Every sequence is checked as the dataset checks it on loading, and
    every split entry must name a sequence, so that a converter never
    writes a file the dataset would refuse.

    Args:
        data (dict): ``dict(split, classes, annotations)``.
        num_joints (int, optional): Expected V.
        keypoint_dims (int, optional): Expected C.

    Raises:
        ConversionError: Listing every bad sequence and split entry.
    """
    # Imported here: the dataset module imports mmaction's registries.
    from .skeleton_segmentation_dataset import check_frame_labels
    num_classes = len(data['classes'])
    bad = []
    for anno in data['annotations']:
        problems = check_frame_labels(anno, num_classes)
        problems += [
            p for p in check_pose_annotation(
                dict(anno, label=0), num_joints, None, keypoint_dims)
        ]
        bad += [f'{anno["frame_dir"]}: {p}' for p in problems]
    names = {anno['frame_dir'] for anno in data['annotations']}
    for split, members in data.get('split', {}).items():
        missing = [m for m in members if m not in names]
        if missing:
            bad.append(f'split {split!r} lists {len(missing)} sequence(s) '
                       f'without data, e.g. {missing[:3]}')
    if bad:
        raise ConversionError(
            '\n'.join([f'{len(bad)} problem(s) in the converted data:'] +
                      [f'  {b}' for b in bad]))


def add_output_arguments(parser) -> None:
    """``--out`` (required) and ``--overwrite`` of a converter's CLI."""
    parser.add_argument('--out', required=True, help='output .pkl file')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace --out if it exists (atomically)')


def add_skip_bad_argument(parser, what: str) -> None:
    """``--skip-bad`` of a converter's CLI.

    Args:
        parser (argparse.ArgumentParser): The converter's parser.
        what (str): What is left out, e.g. ``'videos that cannot be
            read'``; the help says ``leave out <what> (they are listed)``.
    """
    parser.add_argument(
        '--skip-bad',
        action='store_true',
        help=f'leave out {what} (they are listed)')


def write_converted(data: Dict,
                    out: str,
                    bad: List[str],
                    summary: str,
                    overwrite: bool = False) -> int:
    """Report bad inputs, write a converted file and print its split sizes.

    Nothing is written when no sample was converted or when ``out`` exists
    and ``overwrite`` is off; otherwise ``out`` is replaced atomically, so a
    failed run never leaves a half-written or lost file.

    Args:
        data (dict): The converted annotations (``split`` optional).
        out (str): Output pkl; its folder is created.
        bad (list[str]): Inputs left out (``--skip-bad``), listed on stderr.
        summary (str): What was converted, printed as ``summary -> out``.
        overwrite (bool): Replace an existing ``out``. Defaults to False.

    Returns:
        int: The converter's exit status: 0 if ``out`` was written, else 1.
    """
    if bad:
        print(bad_files_report(bad, limit=len(bad)), file=sys.stderr)
    if not data.get('annotations'):
        print(
            f'error: no sample was converted ({summary}); nothing written',
            file=sys.stderr)
        return 1
    if osp.exists(out) and not overwrite:
        print(
            f'error: {out} exists; pass --overwrite to replace it',
            file=sys.stderr)
        return 1
    atomic_dump(data, out)
    print(f'{summary} -> {out}')
    for split, members in (data.get('split') or {}).items():
        print(f'  {split}: {len(members)}')
    return 0
