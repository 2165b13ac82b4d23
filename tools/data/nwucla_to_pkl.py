"""Convert NW-UCLA ``all_sqe/*.json`` skeletons to a PoseDataset pkl.

Example::

    python tools/data/nwucla_to_pkl.py --json-dir data/NW-UCLA/all_sqe \
        --out data/skeleton/nwucla_3d.pkl

Input: the ``all_sqe`` json files used by the CTR-GCN / GAP NW-UCLA feeder
(``feeders/feeder_ucla.py``), named ``aXX_sYY_eZZ_vWW.json`` (action,
subject, repetition, view); the feeder reads only ``skeletons``, a
(T, 20, 3) list of 3D joint positions. A ``file_name`` entry, if present,
must match the file's name.

Output::

    dict(split=dict(train=[name, ...], val=[...]),
         annotations=[dict(frame_dir=name, label=int, total_frames=T,
                           img_shape=(1080, 1920),
                           original_shape=(1080, 1920),
                           keypoint=float32 (1, T, 20, 3)), ...])

Labels: the 10 action ids a01-a06, a08, a09, a11, a12 map to 0..9 in this
order (the feeder stores 1..10 and subtracts 1; class names in GAP's
``text/ucla_*.txt`` order). Splits: the feeder embeds its train and val
file lists; they hold exactly views v01 and v02 (train) and v03 (val), which
is the rule used here. With ``--official-feeder feeder_ucla.py`` the lists
are read from that file instead, so that files it does not list are left
out (they are reported).
"""
import argparse
import json
import os
import os.path as osp
import re
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmaction_ext.datasets.conversion import (ConversionError,
                                              add_output_arguments,
                                              add_skip_bad_argument,
                                              check_bad_inputs,
                                              keep_converted, write_converted,
                                              InputFileError as
                                              UclaFormatError)
from mmaction_ext.datasets.pose_checks import check_pose_annotation

NAME_RE = re.compile(r'a(\d{2})_s(\d{2})_e(\d{2})_v(\d{2})')
# Action id in the file name -> 0-based label.
ACTION_TO_LABEL = {
    1: 0,
    2: 1,
    3: 2,
    4: 3,
    5: 4,
    6: 5,
    8: 6,
    9: 7,
    11: 8,
    12: 9
}
TRAIN_VIEWS = (1, 2)
VAL_VIEWS = (3, )
NUM_JOINTS = 20
NUM_CLASSES = 10
IMG_SHAPE = (1080, 1920)


def parse_name(name: str) -> Dict[str, int]:
    """Fields of a sample name ``aXX_sYY_eZZ_vWW``.

    Args:
        name (str): File stem, e.g. ``'a01_s02_e00_v03'``.

    Returns:
        dict: ``action``, ``subject``, ``repetition``, ``view`` (ints), or an
        empty dict for other names.
    """
    match = NAME_RE.fullmatch(name)
    if match is None:
        return {}
    keys = ('action', 'subject', 'repetition', 'view')
    return dict(zip(keys, map(int, match.groups())))


def name_to_label(name: str) -> int:
    """0-based label of a sample name (``a01`` -> 0, ..., ``a12`` -> 9).

    Args:
        name (str): ``aXX_sYY_eZZ_vWW``.

    Returns:
        int: The label.
    """
    fields = parse_name(name)
    if not fields:
        raise ValueError(f'{name!r} is not aXX_sYY_eZZ_vWW')
    if fields['action'] not in ACTION_TO_LABEL:
        raise ValueError(f'action a{fields["action"]:02d} of {name!r} is '
                         f'none of the 10 NW-UCLA actions')
    return ACTION_TO_LABEL[fields['action']]


def read_json_skeletons(path: str) -> np.ndarray:
    """The ``skeletons`` of one json file.

    Args:
        path (str): ``.../aXX_sYY_eZZ_vWW.json``.

    Returns:
        np.ndarray: float32 (T, 20, 3).
    """
    try:
        with open(path) as f:
            content = json.load(f)
    except (OSError, ValueError) as err:
        raise UclaFormatError(path, f'cannot read json: {err}')
    if not isinstance(content, dict) or 'skeletons' not in content:
        raise UclaFormatError(path, 'has no "skeletons" entry')
    name = osp.splitext(osp.basename(path))[0]
    listed = content.get('file_name', name)
    if osp.splitext(osp.basename(str(listed)))[0] != name:
        raise UclaFormatError(path, f'file_name {listed!r} does not match')
    try:
        skeletons = np.asarray(content['skeletons'], dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise UclaFormatError(
            path, f'"skeletons" is not a (T, {NUM_JOINTS}, 3) number array: '
            f'{err}')
    if skeletons.ndim != 3 or skeletons.shape[1:] != (NUM_JOINTS, 3) or \
            not len(skeletons):
        raise UclaFormatError(
            path, f'"skeletons" has shape {skeletons.shape}, expected '
            f'(T, {NUM_JOINTS}, 3) with T > 0')
    return skeletons


def convert_file(path: str) -> Dict:
    """One json file as a PoseDataset annotation.

    Args:
        path (str): ``.../aXX_sYY_eZZ_vWW.json``.

    Returns:
        dict: ``frame_dir``, ``label``, ``total_frames``, ``img_shape``,
        ``original_shape``, ``keypoint`` float32 (1, T, 20, 3).
    """
    name = osp.splitext(osp.basename(path))[0]
    try:
        label = name_to_label(name)
    except ValueError as err:
        raise UclaFormatError(path, str(err))
    if parse_name(name)['view'] not in TRAIN_VIEWS + VAL_VIEWS:
        raise UclaFormatError(path, 'view is not v01, v02 or v03')
    keypoint = read_json_skeletons(path)[None]
    anno = dict(
        frame_dir=name,
        label=label,
        total_frames=keypoint.shape[1],
        img_shape=IMG_SHAPE,
        original_shape=IMG_SHAPE,
        keypoint=keypoint)
    problems = check_pose_annotation(
        anno, num_joints=NUM_JOINTS, num_classes=NUM_CLASSES, keypoint_dims=3)
    if problems:
        raise UclaFormatError(path, '; '.join(problems))
    return anno


def view_splits(names: Sequence[str]) -> Dict[str, List[str]]:
    """Cross-view splits: views 1, 2 train and view 3 val.

    Args:
        names (Sequence[str]): Sample names.

    Returns:
        dict[str, list[str]]: ``train`` and ``val`` names.
    """
    splits = dict(train=[], val=[])
    for name in names:
        view = parse_name(name)['view']
        splits['train' if view in TRAIN_VIEWS else 'val'].append(name)
    return splits


def read_official_lists(path: str) -> Dict[str, List[str]]:
    """The train / val lists embedded in the official ``feeder_ucla.py``.

    The feeder assigns ``self.data_dict = [{"file_name": ..., "length": ...,
    "label": 1-based}, ...]`` twice: first for val, then for train. The
    stored labels are checked against :data:`ACTION_TO_LABEL`.

    Args:
        path (str): The feeder's source file.

    Returns:
        dict[str, list[str]]: ``train`` and ``val`` names.
    """
    with open(path) as f:
        found = re.findall(r'data_dict\s*=\s*(\[.*?\])', f.read(), re.S)
    if len(found) != 2:
        raise ValueError(f'{path}: expected 2 embedded data_dict lists '
                         f'(val, train), found {len(found)}')
    splits = {}
    for split, text in zip(('val', 'train'), found):
        entries = json.loads(text)
        for entry in entries:
            if name_to_label(entry['file_name']) != int(entry['label']) - 1:
                raise ValueError(f'{path}: {entry} disagrees with the label '
                                 'mapping a01..a12 -> 0..9')
        splits[split] = [entry['file_name'] for entry in entries]
    return dict(train=splits['train'], val=splits['val'])


def _collect(json_dir: str, wanted: Optional[set]) -> Tuple[List, List, int]:
    """Convert the json files (all, or the ``wanted`` names).

    Returns:
        tuple: Annotations, bad files, and the number of files left out
        because ``wanted`` does not name them.
    """
    annotations, bad = [], []
    names = sorted(
        osp.splitext(f)[0] for f in os.listdir(json_dir)
        if f.endswith('.json'))
    unlisted = 0
    for name in names:
        if wanted is not None and name not in wanted:
            unlisted += 1
            continue
        try:
            annotations.append(
                convert_file(osp.join(json_dir, name + '.json')))
        except UclaFormatError as err:
            bad.append(str(err))
    if wanted is not None:
        bad += [
            f'{osp.join(json_dir, n)}.json: listed by the official '
            'feeder but missing' for n in sorted(wanted - set(names))
        ]
    return annotations, bad, unlisted


def convert(json_dir: str,
            official_feeder: Optional[str] = None,
            skip_bad: bool = False) -> Tuple[Dict, List[str], int]:
    """Convert a folder of NW-UCLA json files.

    Args:
        json_dir (str): The ``all_sqe`` folder.
        official_feeder (str, optional): ``feeder_ucla.py`` whose embedded
            lists define the splits. Defaults to the view rule.
        skip_bad (bool): Leave out bad files instead of raising.

    Returns:
        tuple: ``dict(split, annotations)``, the bad files as
        ``'path: reason'`` strings, and the number of json files left out
        because the official lists do not name them.
    """
    if not osp.isdir(json_dir):
        raise FileNotFoundError(f'{json_dir!r} is not a directory')
    lists = read_official_lists(official_feeder) if official_feeder \
        else None
    wanted = set(lists['train'] + lists['val']) if lists else None
    annotations, bad, unlisted = _collect(json_dir, wanted)
    check_bad_inputs(bad, skip_bad)
    if lists:
        splits = keep_converted(lists, annotations)
    else:
        splits = view_splits([anno['frame_dir'] for anno in annotations])
    return dict(split=splits, annotations=annotations), bad, unlisted


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert NW-UCLA all_sqe json files to a PoseDataset pkl')
    parser.add_argument('--json-dir', required=True, help='the all_sqe folder')
    add_output_arguments(parser)
    parser.add_argument(
        '--official-feeder',
        help='CTR-GCN/GAP feeders/feeder_ucla.py: take the splits from its '
        'embedded lists instead of the view rule')
    add_skip_bad_argument(parser, 'files that cannot be read')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        data, bad, unlisted = convert(args.json_dir, args.official_feeder,
                                      args.skip_bad)
    except ConversionError as err:
        print(err, file=sys.stderr)
        return 1
    return write_converted(
        data,
        args.out,
        bad, f'{len(data["annotations"])} samples ({len(bad)} bad, {unlisted} '
        f'not in the official lists)',
        overwrite=args.overwrite)


if __name__ == '__main__':
    sys.exit(main())
