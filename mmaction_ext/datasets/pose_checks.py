"""Checks of skeleton annotations in MMAction2's PoseDataset format.

Bad samples are reported by file and ``frame_dir`` before training starts,
instead of surfacing later as a shape or NaN error deep inside a model.
"""
from collections import Counter
from typing import Dict, List, Optional

import numpy as np

from ..utils.errors import BadInputError, UnknownNameError


def check_pose_annotation(anno: dict,
                          num_joints: Optional[int] = None,
                          num_classes: Optional[int] = None,
                          keypoint_dims: Optional[int] = None) -> List[str]:
    """Problems of one annotation, as human-readable strings.

    Args:
        anno (dict): One entry of ``annotations``: ``frame_dir``, ``label``,
            ``total_frames``, ``keypoint`` (M, T, V, C) and, for 2D data,
            ``keypoint_score`` (M, T, V).
        num_joints (int, optional): Expected V. Not checked if None.
        num_classes (int, optional): Labels must lie in [0, num_classes).
            Not checked if None.
        keypoint_dims (int, optional): Expected C. Not checked if None.

    Returns:
        list[str]: Empty if the annotation is usable.
    """
    problems = []
    label = anno.get('label')
    if label is None:
        problems.append('has no "label"')
    elif isinstance(label, bool) or not isinstance(label, (int, np.integer)):
        problems.append(f'label {label!r} is not an integer class index '
                        f'(a {type(label).__name__}); store int labels')
    elif label < 0 or (num_classes is not None and label >= num_classes):
        bound = f'[0, {num_classes})' if num_classes else 'a non-negative int'
        problems.append(f'label {label!r} is outside {bound}')
    if anno.get('total_frames', 1) <= 0:
        problems.append(
            f'is an empty sequence (total_frames={anno["total_frames"]})')
    keypoint = anno.get('keypoint')
    if keypoint is None:
        return problems + ['has no "keypoint" array']
    if not isinstance(keypoint, np.ndarray):
        return problems + [
            f'keypoint is a {type(keypoint).__name__}, expected a float '
            'numpy array (M, T, V, C); convert it with np.asarray(..., '
            'np.float32)'
        ]
    if keypoint.dtype.kind != 'f':
        return problems + [
            f'keypoint has dtype {keypoint.dtype}, expected a float array '
            '(M, T, V, C)' + (' (ragged: sequences of different sizes?)'
                              if keypoint.dtype.kind == 'O' else '')
        ]
    if keypoint.ndim != 4:
        return problems + [
            f'keypoint has shape {keypoint.shape}, expected (M, T, V, C)'
        ]
    persons, frames, joints, dims = keypoint.shape
    if frames == 0 or persons == 0:
        problems.append(f'is an empty sequence (keypoint shape '
                        f'{keypoint.shape})')
    total_frames = anno.get('total_frames', frames)
    if total_frames != frames:
        problems.append(f'has total_frames={total_frames} but {frames} '
                        'keypoint frames')
    if num_joints is not None and joints != num_joints:
        problems.append(f'has {joints} joints, the layout has {num_joints}')
    if keypoint_dims is not None and dims != keypoint_dims:
        problems.append(f'has {dims}-D keypoints, expected {keypoint_dims}-D')
    bad = ~np.isfinite(keypoint)
    if bad.any():
        frame = int(np.argwhere(bad)[0][1])
        problems.append(f'has {int(bad.sum())} NaN/inf keypoint values '
                        f'(first in frame {frame})')
    score = anno.get('keypoint_score')
    if score is not None and np.shape(score) != keypoint.shape[:3]:
        problems.append(f'keypoint_score has shape {np.shape(score)}, '
                        f'expected {keypoint.shape[:3]}')
    return problems


def select_split(data,
                 split: Optional[str],
                 ann_file: str,
                 noun: str = 'samples') -> List[Dict]:
    """The annotations a split lists, checked both ways.

    Args:
        data (dict | list): A loaded annotation file: ``dict(split=...,
            annotations=[...])`` or a bare list of annotations.
        split (str, optional): Split name; None selects everything.
        ann_file (str): The file, for error messages.
        noun (str): What an annotation is called in messages.

    Returns:
        list[dict]: The annotations whose ``frame_dir`` the split lists.
    """
    annotations = data['annotations'] if isinstance(data, dict) else data
    if split is None:
        return annotations
    splits = (data.get('split') or {}) if isinstance(data, dict) else {}
    if split not in splits:
        raise UnknownNameError(f'{ann_file}: no split {split!r}; available: '
                               f'{sorted(splits)}')
    wanted = set(splits[split])
    annotations = [a for a in annotations if a.get('frame_dir') in wanted]
    missing = wanted - {a['frame_dir'] for a in annotations}
    if missing:
        raise BadInputError(
            f'{ann_file}: split {split!r} lists {len(missing)} '
            f'{noun} without an annotation, e.g. '
            f'{sorted(missing)[:3]}')
    return annotations


def duplicate_names(annotations: List[Dict]) -> List[str]:
    """Problems for every ``frame_dir`` that more than one annotation has.

    Splits list samples by name, so a repeated name would silently put both
    samples (or the wrong one) into a split.
    """
    counts = Counter(a.get('frame_dir') for a in annotations)
    return [
        f'frame_dir {name!r} appears {count} times; names must be unique'
        for name, count in counts.items() if count > 1
    ]


def raise_problems(ann_file: str, split: str, problems: List[str],
                   max_reported: int) -> None:
    """Raise one error listing the first ``max_reported`` problems, if any.

    Args:
        ann_file (str): The annotation file, named in the message.
        split (str): The split that was checked.
        problems (list[str]): One line per problem (naming the sample).
        max_reported (int): Lines shown before "... and N more".
    """
    if not problems:
        return
    shown = '\n  '.join(problems[:max_reported])
    more = len(problems) - max_reported
    tail = f'\n  ... and {more} more' if more > 0 else ''
    raise BadInputError(f'{ann_file}: {len(problems)} problem(s) in split '
                        f'{split!r}:\n  {shown}{tail}')
