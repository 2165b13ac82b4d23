"""Convert MCFS OpenPose BODY_25 json frames and frame labels to a pkl.

Example::

    python tools/data/mcfs_to_segmentation.py \
        --pose-dir data/MCFS/json --label-dir data/MCFS/labels_130 \
        --classes mcfs130 --split-csv-dir DeST/csv/MCFS-130 \
        --out data/skeleton_segmentation/mcfs130.pkl

Output (the :class:`SkeletonSegmentationDataset` format)::

    dict(split=dict(train1=[...], val1=[...], test1=[...], ...),
         classes=TextBank('mcfs22' | 'mcfs130').labels,
         annotations=[dict(frame_dir='n01_p01', total_frames=T,
                           keypoint=float32 (1, T, 25, 3),  # x, y, score
                           frame_labels=int64 (T, )), ...])

What is verified, and from where:

* MCFS skeletons are OpenPose BODY_25 keypoints in pixels of 1280 x 720
  frames: lyhisme/DeST ``libs/dataset.py`` @ 3c657839 reads the MCFS
  features as (T, 25, >= 2), keeps x, y and computes ``x / 1280 - 0.5``,
  ``y / 720 - 0.5`` minus joint 8 (MidHip), which our
  ``SegmentationFeatures(mode='mcfs')`` does; a third-party project
  README found by code search ("Action Segmentation for Figure Skating
  Competition Videos") says MCFS skeletons were extracted with OpenPose
  (BODY_25), 271 videos at 30 fps, and HaoyuJi/LaSA
  ``text/joints/detail/MCFS-22.txt`` @ d3855e67 names the BODY_25 joints.
* The OpenPose json format (CMU-Perceptual-Computing-Lab/openpose
  ``doc/02_output.md`` @ 0e341c83): one file per frame with a ``people``
  list; each person's ``pose_keypoints_2d`` is ``x0, y0, c0, x1, ...``,
  25 x 3 = 75 numbers for BODY_25 in the order of
  ``mmaction_ext/datasets/label_maps/joints_openpose_body25.txt``;
  undetected
  keypoints are 0. Files are named ``<prefix>_<frame, 12 digits>_
  keypoints.json`` (e.g. ``..._000000000000_keypoints.json`` in
  FORTH-ModelBasedTracker/MocapNET issue #7).
* Frame labels in the MS-TCN ``groundTruth`` convention: ``<video>.txt``
  with one class name per line, line ``t`` for frame ``t`` (lyhisme/DeST
  ``utils/generate_gt_array.py`` @ 3c657839 reads ``groundTruth/*.txt``
  so for its non-LARa datasets and maps the names with ``mapping.txt``;
  its README shows ``groundTruth/`` and ``mapping.txt`` in the MCFS-130
  folder). Names are matched to our class
  order (``TextBank``, LaSA's MCFS class lists) ignoring case, spaces and
  punctuation; unknown names are an error listing each of them.
* Splits (``--split-csv-dir``): lyhisme/DeST ``csv/MCFS-22`` and
  ``csv/MCFS-130`` @ 3c657839 hold 5 folds, ``train{k}.csv`` and
  ``test{k}.csv`` (k = 1..5) plus some ``val{k}.csv``, with rows
  ``feature,label,boundary`` whose feature file stem is the video
  (``n31_p04``). Every fold found becomes splits ``train{k}``,
  ``test{k}`` (and ``val{k}``); videos no list names are counted and left
  out. Without lists all videos go to split ``all``.

UNVERIFIED (the MCFS dataset page, shenglanliu.github.io/mcfs-dataset,
could not be read and no public code reads the original release):

* that the release ships OpenPose per-frame json at all, its folder
  layout (here: one sub-folder of json files per video under
  ``--pose-dir``, named as the video) and its label files (here: the
  groundTruth convention above). The DeST-prepared npy/txt release is read
  by a separate helper.
* how a person is chosen when OpenPose finds several: here the one with
  the highest summed keypoint score (frames without people are zeros,
  i.e. "not detected" in OpenPose terms).
* the frame numbering: json frames must be consecutive (no gaps, any
  start) and their count must equal the number of label lines.
"""
import argparse
import json
import os
import os.path as osp
import re
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmaction_ext.datasets.conversion import (
    ConversionError, check_bad_inputs, check_segmentation_file,
    segmentation_entry, add_output_arguments, add_skip_bad_argument,
    write_converted, InputFileError as McfsFormatError, keep_converted,
    normalise_class_name, read_feature_list)

NUM_JOINTS = 25
BANKS = ('mcfs22', 'mcfs130')
JSON_RE = re.compile(r'(\d+)_keypoints\.json')
FOLD_RE = re.compile(r'train(\d+)\.csv')


def read_json_frame(path: str) -> np.ndarray:
    """The BODY_25 keypoints of the best-scored person in one json file.

    Args:
        path (str): An OpenPose ``*_keypoints.json`` file.

    Returns:
        np.ndarray: float32 (25, 3) ``x, y, score``; zeros if the frame has
        no person.
    """
    try:
        with open(path) as f:
            content = json.load(f)
    except (OSError, ValueError) as err:
        raise McfsFormatError(path, f'cannot read json: {err}')
    people = content.get('people') if isinstance(content, dict) else None
    if not isinstance(people, list):
        raise McfsFormatError(path, 'has no "people" list')
    best, best_score = np.zeros((NUM_JOINTS, 3), np.float32), -np.inf
    for index, person in enumerate(people):
        try:
            pose = np.asarray(person['pose_keypoints_2d'], np.float32)
        except (KeyError, TypeError, ValueError) as err:
            raise McfsFormatError(
                path, f'person {index}: no numeric pose_keypoints_2d '
                f'({err!r})')
        if pose.shape != (NUM_JOINTS * 3, ):
            raise McfsFormatError(
                path, f'person {index}: pose_keypoints_2d has {pose.size} '
                f'numbers, expected {NUM_JOINTS * 3} (BODY_25 x, y, score)')
        if not np.isfinite(pose).all():
            raise McfsFormatError(path, f'person {index}: non-finite value')
        pose = pose.reshape(NUM_JOINTS, 3)
        if pose[:, 2].sum() > best_score:
            best, best_score = pose, pose[:, 2].sum()
    return best


def read_pose_dir(folder: str) -> np.ndarray:
    """All json frames of one video, in frame order.

    Args:
        folder (str): The video's folder of ``*_keypoints.json`` files.

    Returns:
        np.ndarray: float32 (T, 25, 3).
    """
    frames = {}
    for file in os.listdir(folder):
        match = JSON_RE.search(file)
        if match and file.endswith('_keypoints.json'):
            number = int(match.group(1))
            if number in frames:
                raise McfsFormatError(
                    osp.join(folder, file),
                    f'frame {number} also in {frames[number]}')
            frames[number] = file
    if not frames:
        raise McfsFormatError(folder, 'has no *_keypoints.json files')
    numbers = sorted(frames)
    gaps = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
    if gaps:
        raise McfsFormatError(
            folder, f'{len(gaps)} frame(s) missing between {numbers[0]} and '
            f'{numbers[-1]}, first {gaps[0]}')
    return np.stack(
        [read_json_frame(osp.join(folder, frames[n])) for n in numbers])


def read_label_file(path: str, class_index: Dict[str, int]) -> np.ndarray:
    """Class indices of a groundTruth-style file (one name per line).

    Args:
        path (str): ``<video>.txt``.
        class_index (dict[str, int]): Normalised class name -> index.

    Returns:
        np.ndarray: int64 (T, ).
    """
    with open(path) as f:
        lines = [line.strip() for line in f.read().splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        raise McfsFormatError(path, 'has no label lines')
    labels, unknown = [], {}
    for number, name in enumerate(lines, 1):
        if not name:
            raise McfsFormatError(path, f'line {number}: empty label')
        key = normalise_class_name(name)
        if key not in class_index:
            unknown.setdefault(name, number)
        labels.append(class_index.get(key, -1))
    if unknown:
        listed = ', '.join(f'{n!r} (line {k})' for n, k in unknown.items())
        raise McfsFormatError(
            path, f'{len(unknown)} unknown class name(s): {listed}')
    return np.asarray(labels, np.int64)


def convert_video(name: str, pose_dir: str, label_dir: str,
                  class_index: Dict[str, int], xy_only: bool) -> Dict:
    """One video as a segmentation entry.

    Args:
        name (str): The video (sub-folder of ``pose_dir``).
        pose_dir (str): Folder of per-video json folders.
        label_dir (str): Folder of ``<video>.txt`` label files.
        class_index (dict[str, int]): Normalised class name -> index.
        xy_only (bool): Keep x, y and drop the score.

    Returns:
        dict: The :func:`segmentation_entry` of the video.
    """
    label_path = osp.join(label_dir, f'{name}.txt')
    if not osp.isfile(label_path):
        raise McfsFormatError(label_path, 'label file missing')
    keypoint = read_pose_dir(osp.join(pose_dir, name))
    labels = read_label_file(label_path, class_index)
    if len(labels) != len(keypoint):
        raise McfsFormatError(
            label_path, f'{len(labels)} label lines but {len(keypoint)} json '
            f'frames in {osp.join(pose_dir, name)}')
    if xy_only:
        keypoint = keypoint[..., :2]
    return segmentation_entry(name, keypoint[None], labels)


def read_fold_lists(csv_dir: str) -> Dict[str, List[str]]:
    """DeST's ``train{k}`` / ``val{k}`` / ``test{k}.csv`` as video names.

    Args:
        csv_dir (str): DeST ``csv/MCFS-22`` or ``csv/MCFS-130``.

    Returns:
        dict[str, list[str]]: Split name (``'train1'`` ...) -> videos.
    """
    folds = sorted(
        int(m.group(1)) for m in map(FOLD_RE.fullmatch, os.listdir(csv_dir))
        if m)
    if not folds:
        raise ValueError(f'{csv_dir}: no train<k>.csv files')
    lists = {}
    for fold in folds:
        for split in ('train', 'val', 'test'):
            path = osp.join(csv_dir, f'{split}{fold}.csv')
            if split == 'val' and not osp.isfile(path):
                continue
            lists[f'{split}{fold}'] = read_feature_list(path)
    return lists


def convert(pose_dir: str,
            label_dir: str,
            bank: str,
            split_csv_dir: Optional[str] = None,
            xy_only: bool = False,
            skip_bad: bool = False) -> Tuple[Dict, List[str], int]:
    """Convert the videos of ``pose_dir`` with their labels.

    Args:
        pose_dir (str): One sub-folder of OpenPose json files per video.
        label_dir (str): ``<video>.txt`` label files.
        bank (str): ``'mcfs22'`` or ``'mcfs130'`` (classes and order).
        split_csv_dir (str, optional): DeST csv folder of the folds.
        xy_only (bool): Store x, y only (C = 2) instead of x, y, score.
        skip_bad (bool): Leave out bad videos instead of raising.

    Returns:
        tuple: ``dict(split, classes, annotations)``, the bad files as
        ``'path: reason'`` strings and the number of videos left out
        because no split list names them.
    """
    from mmaction_ext.text import TextBank
    if bank not in BANKS:
        raise ValueError(f'classes must be one of {BANKS}, got {bank!r}')
    for folder in (pose_dir, label_dir):
        if not osp.isdir(folder):
            raise FileNotFoundError(f'{folder!r} is not a directory')
    classes = list(TextBank(bank).labels)
    class_index = {normalise_class_name(c): i for i, c in enumerate(classes)}
    if len(class_index) != len(classes):
        raise ValueError(f'{bank}: class names collide once case, spaces '
                         'and punctuation are ignored')
    lists = read_fold_lists(split_csv_dir) if split_csv_dir else None
    videos = sorted(
        d for d in os.listdir(pose_dir) if osp.isdir(osp.join(pose_dir, d)))
    wanted = set(sum(lists.values(), [])) if lists else set(videos)
    annotations, bad = [], []
    for name in sorted(wanted & set(videos)):
        try:
            annotations.append(
                convert_video(name, pose_dir, label_dir, class_index, xy_only))
        except McfsFormatError as err:
            bad.append(str(err))
    bad += [
        f'{osp.join(pose_dir, n)}: listed by the split files but missing'
        for n in sorted(wanted - set(videos))
    ]
    check_bad_inputs(bad, skip_bad)
    if lists:
        splits = keep_converted(lists, annotations)
    else:
        splits = dict(all=[anno['frame_dir'] for anno in annotations])
    data = dict(split=splits, classes=classes, annotations=annotations)
    check_segmentation_file(data, NUM_JOINTS, 2 if xy_only else 3)
    return data, bad, len(set(videos) - wanted)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert MCFS OpenPose json frames and frame labels to '
        'a skeleton segmentation pkl')
    parser.add_argument(
        '--pose-dir',
        required=True,
        help='folder with one sub-folder of *_keypoints.json per video')
    parser.add_argument(
        '--label-dir',
        required=True,
        help='folder of <video>.txt files, one class name per line')
    parser.add_argument(
        '--classes',
        required=True,
        choices=BANKS,
        help='class list and order (text bank)')
    add_output_arguments(parser)
    parser.add_argument(
        '--split-csv-dir',
        help='DeST csv/MCFS-22 or csv/MCFS-130 folder: splits train<k>, '
        'val<k>, test<k> of every fold')
    parser.add_argument(
        '--xy-only',
        action='store_true',
        help='store x, y only (default: x, y and the OpenPose score)')
    add_skip_bad_argument(parser, 'videos that cannot be read')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        data, bad, unlisted = convert(args.pose_dir, args.label_dir,
                                      args.classes, args.split_csv_dir,
                                      args.xy_only, args.skip_bad)
    except (ConversionError, ValueError, OSError) as err:
        print(err, file=sys.stderr)
        return 1
    return write_converted(
        data,
        args.out,
        bad, f'{len(data["annotations"])} videos ({len(bad)} bad, {unlisted} '
        f'in no split list)',
        overwrite=args.overwrite)


if __name__ == '__main__':
    sys.exit(main())
