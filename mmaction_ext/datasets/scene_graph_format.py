"""The scene-graph video annotation format and its checks.

One pkl per split, written by ``tools/data/ag_charades_to_scene_graphs.py``
(Action Genome + Charades) and by the synthetic generator
(:mod:`mmaction_ext.datasets.synthetic.scene_graph_videos`), read by
:class:`SceneGraphVideoDataset`. It follows the OpenMMLab 2.0 annotation
layout (``metainfo`` + ``data_list``)::

    dict(
        metainfo=dict(
            dataset=str,                 # 'action_genome' | 'synthetic'
            split=str,                   # 'train' | 'test'
            classes=tuple[str],          # action classes (Charades: 157)
            object_classes=tuple[str],   # slot classes, index 0 = person
            relation_classes=tuple[str], # relation types R (AG: 26)
            num_slots=int),              # max slots of a video, all splits
        data_list=[dict(
            video_id=str, scene=str,
            label=list[int],             # action ids present in the video
            action_intervals=list[(label, start_sec, end_sec)],
            fps=float, num_frames=int,   # of the video file
            img_shape=(H, W),            # pixels of the boxes' frames
            frame_inds=int64 (K, ),      # keyframes, 0-based, increasing
            slot_classes=int64 (S, ),    # object class per slot, [0] = 0
            boxes=float32 (K, S, 4),     # xyxy pixels, 0 where absent
            box_mask=bool (K, S),        # slot's object present in frame
            relations=int64 (E, 4),      # (keyframe, subject slot,
                                         #  object slot, relation type)
            node_feats=float (K, S, D)), # optional, in-memory features
            ...])

Slot 0 is the person; each other slot is one object class of the video, so
a slot is the same object in every keyframe (Action Genome has no track
ids: objects are identified by class within a video).
"""
from typing import Dict, List, Optional

import numpy as np

ENTRY_ARRAYS = dict(
    frame_inds=('i', 1),
    slot_classes=('i', 1),
    boxes=('f', 3),
    box_mask=('b', 2),
    relations=('i', 2))


def _array_problems(entry: Dict) -> List[str]:
    """Dtype-kind and rank problems of the per-video arrays."""
    problems = []
    for key, (kind, ndim) in ENTRY_ARRAYS.items():
        value = entry.get(key)
        if not isinstance(value, np.ndarray):
            problems.append(f'has no numpy array {key!r}')
        elif value.dtype.kind != kind or value.ndim != ndim:
            problems.append(f'{key} is {value.dtype} with {value.ndim} dims, '
                            f'expected kind {kind!r} with {ndim} dims')
    return problems


def _shape_problems(entry: Dict) -> List[str]:
    """Shapes that disagree with K keyframes and S slots."""
    num_keyframes = len(entry['frame_inds'])
    num_slots = len(entry['slot_classes'])
    problems = []
    if num_keyframes == 0:
        problems.append('has no keyframes')
    if num_slots == 0:
        problems.append('has no slots')
    if entry['boxes'].shape != (num_keyframes, num_slots, 4):
        problems.append(f'boxes has shape {entry["boxes"].shape}, expected '
                        f'({num_keyframes}, {num_slots}, 4)')
    if entry['box_mask'].shape != (num_keyframes, num_slots):
        problems.append(f'box_mask has shape {entry["box_mask"].shape}, '
                        f'expected ({num_keyframes}, {num_slots})')
    if entry['relations'].shape[1:] != (4, ):
        problems.append(f'relations has shape {entry["relations"].shape}, '
                        'expected (E, 4)')
    return problems


def _content_problems(entry: Dict, num_object_classes: Optional[int],
                      num_relations: Optional[int]) -> List[str]:
    """Values: frame order, slot classes, relation indices."""
    problems = []
    frames = entry['frame_inds']
    if np.any(np.diff(frames) <= 0) or frames.min() < 0 or (
            frames.max() >= entry['num_frames']):
        problems.append(f'frame_inds must increase within [0, '
                        f'{entry["num_frames"]}), got {frames.tolist()}')
    slots = entry['slot_classes']
    if slots[0] != 0 or np.any(slots[1:] <= 0) or (
            num_object_classes and slots.max() >= num_object_classes) or (len(
                set(slots.tolist())) < len(slots)):
        problems.append('slot_classes must be 0 (person) then distinct '
                        f'object classes in [1, {num_object_classes}), got '
                        f'{slots.tolist()}')
    if not np.isfinite(entry['boxes']).all():
        problems.append('has NaN/inf boxes')
    if not entry['box_mask'].any():
        problems.append('has no box in any keyframe')
    rel = entry['relations']
    if len(rel):
        limits = np.array([
            len(frames),
            len(slots),
            len(slots), num_relations or np.iinfo(np.int64).max
        ])
        bad = (rel < 0) | (rel >= limits)
        if bad.any():
            row = int(np.argmax(bad.any(1)))
            problems.append(f'relations row {row} {rel[row].tolist()} is out '
                            f'of range (keyframes, slots, slots, relations) '
                            f'= {limits.tolist()}')
    return problems


def _label_problems(entry: Dict, num_classes: Optional[int]) -> List[str]:
    """Video labels and action intervals against ``num_classes``."""
    problems = []
    labels = list(entry.get('label', ()))
    intervals = list(entry.get('action_intervals', ()))
    ids = labels + [interval[0] for interval in intervals]
    bad = [
        i for i in ids if not isinstance(i, (int, np.integer)) or i < 0 or (
            num_classes is not None and i >= num_classes)
    ]
    if bad:
        problems.append(f'has action ids outside [0, {num_classes}): '
                        f'{sorted(set(map(str, bad)))}')
    for label, start, end in intervals:
        if not 0 <= start <= end:
            problems.append(f'action {label} has interval ({start}, {end}) '
                            'with start > end or start < 0')
    return problems


def scene_graph_video_problems(
        entry: Dict,
        num_classes: Optional[int] = None,
        num_object_classes: Optional[int] = None,
        num_relations: Optional[int] = None) -> List[str]:
    """Problems of one video of the scene-graph annotation format.

    Args:
        entry (dict): One item of ``data_list``.
        num_classes (int, optional): Action ids must lie in
            [0, num_classes). Not checked if None.
        num_object_classes (int, optional): Slot classes must lie in
            [0, num_object_classes). Not checked if None.
        num_relations (int, optional): Relation types must lie in
            [0, num_relations). Not checked if None.

    Returns:
        list[str]: Empty if the video is usable.
    """
    missing = [
        key for key in ('video_id', 'num_frames', 'fps', 'label')
        if key not in entry
    ]
    if missing:
        return [f'has no {missing}']
    problems = _array_problems(entry)
    if problems:
        return problems
    problems = _shape_problems(entry)
    if problems:
        return problems
    return (_content_problems(entry, num_object_classes, num_relations) +
            _label_problems(entry, num_classes))


def seconds_to_frames(start: float, end: float, fps: float,
                      num_frames: int) -> tuple:
    """A [start, end] interval in seconds as frames ``[first, stop)``.

    ``first = floor(start * fps)`` and ``stop = ceil(end * fps)``, both
    clipped to [0, num_frames]: a frame ``f`` is inside iff
    ``first <= f < stop``.
    """
    first = int(np.clip(np.floor(start * fps), 0, num_frames))
    stop = int(np.clip(np.ceil(end * fps), first, num_frames))
    return first, stop
