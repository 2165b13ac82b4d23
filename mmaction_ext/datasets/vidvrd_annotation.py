"""VidVRD / VidOR per-video annotation JSON: loading and checks.

The format is VidVRD-helper's (github.com/xdshang/VidVRD-helper
``dataset/dataset.py``): ``video_id``, ``frame_count``, ``fps``, ``width``,
``height``, ``subject/objects`` (``{tid, category}``), ``trajectories`` (one
list per frame of ``{tid, bbox: {xmin, ymin, xmax, ymax}}``) and
``relation_instances`` (``{subject_tid, object_tid, predicate, begin_fid,
end_fid}``, ``end_fid`` exclusive). VidOR files add ``version`` ("VERSION
1.0"), ``generated`` / ``tracker`` per box and more keys, which are ignored.

Every problem raises :class:`VidVRDFormatError` naming the file, the video
and the field; nothing is dropped silently. Boxes are inclusive pixel
coordinates and must lie in ``[0, width] x [0, height]`` (the inclusive
right edge is ``width - 1``; one pixel more is tolerated because the
released annotations touch ``width``).
"""
import json
import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np

from .vidvrd_classes import RelationVocabulary

BOX_KEYS = ('xmin', 'ymin', 'xmax', 'ymax')


class VidVRDFormatError(ValueError):
    """A VidVRD / VidOR JSON file that does not follow the format."""


@dataclass(frozen=True)
class RelationInstance:
    """One annotated relation: ``predicate`` holds on ``[begin, end)``."""
    subject_tid: int
    object_tid: int
    predicate: str
    begin: int
    end: int


@dataclass
class VideoRelationAnnotation:
    """A checked video annotation.

    Attributes:
        video_id (str): The video's id.
        frame_count (int): Number of frames T.
        fps (float | None): Frame rate, None when the file has none.
        width (int): Frame width in pixels.
        height (int): Frame height in pixels.
        categories (dict[int, str]): Object category per tid.
        boxes (dict[int, ndarray]): Per tid, (T, 4) float64 boxes
            (x1, y1, x2, y2), NaN on the frames where the object is absent.
        relations (list[RelationInstance]): In file order.
    """
    video_id: str
    frame_count: int
    fps: Optional[float]
    width: int
    height: int
    categories: Dict[int, str]
    boxes: Dict[int, np.ndarray]
    relations: List[RelationInstance] = field(default_factory=list)

    def relation_instances(self) -> List[dict]:
        """GT instances as VidVRD-helper's ``get_relation_insts`` gives them.

        Returns:
            list[dict]: ``triplet`` (sub category, predicate, obj
            category), ``subject_tid``, ``object_tid``, ``duration``
            (begin, end) and ``sub_traj`` / ``obj_traj`` (end - begin, 4)
            float64 boxes, one instance per relation, in file order.
        """
        insts = []
        for rel in self.relations:
            span = slice(rel.begin, rel.end)
            insts.append(
                dict(
                    triplet=(self.categories[rel.subject_tid], rel.predicate,
                             self.categories[rel.object_tid]),
                    subject_tid=rel.subject_tid,
                    object_tid=rel.object_tid,
                    duration=(rel.begin, rel.end),
                    sub_traj=self.boxes[rel.subject_tid][span].copy(),
                    obj_traj=self.boxes[rel.object_tid][span].copy()))
        return insts


def read_json(path: str):
    """Parse the JSON file ``path``; errors name the file and position."""
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except json.JSONDecodeError as err:
        raise VidVRDFormatError(f'{path}: malformed JSON at line {err.lineno}'
                                f' column {err.colno}: {err.msg}') from None
    except UnicodeDecodeError as err:
        raise VidVRDFormatError(f'{path}: not UTF-8 text ({err})') from None


def load_video_annotation(
    path: str,
    vocabulary: Optional[RelationVocabulary] = None
) -> VideoRelationAnnotation:
    """Load and check one annotation file; see :func:`parse_annotation`."""
    return parse_annotation(read_json(path), path, vocabulary)


def _require_int(value, where: str, low: int = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise VidVRDFormatError(f'{where} must be an integer, got {value!r}')
    if low is not None and value < low:
        raise VidVRDFormatError(f'{where} must be >= {low}, got {value}')
    return value


def _require_keys(entry, keys, where: str) -> None:
    if not isinstance(entry, dict):
        raise VidVRDFormatError(f'{where} must be an object, got '
                                f'{type(entry).__name__}')
    missing = [k for k in keys if k not in entry]
    if missing:
        raise VidVRDFormatError(f'{where} lacks {missing}')


def parse_annotation(
    data,
    source: str = '<annotation>',
    vocabulary: Optional[RelationVocabulary] = None
) -> VideoRelationAnnotation:
    """Check one decoded annotation and build its in-memory structure.

    Args:
        data (dict): The decoded JSON of one video.
        source (str): File name used in messages. Defaults to
            '<annotation>'.
        vocabulary (RelationVocabulary, optional): When given, every
            object category and predicate must belong to it.

    Returns:
        VideoRelationAnnotation: The checked annotation.
    """
    _require_keys(data,
                  ('video_id', 'frame_count', 'width', 'height',
                   'subject/objects', 'trajectories', 'relation_instances'),
                  f'{source}: the annotation')
    video = f'{source}: video {data["video_id"]!r}:'
    if data.get('version', 'VERSION 1.0') != 'VERSION 1.0':
        raise VidVRDFormatError(f'{video} version is {data["version"]!r}, '
                                'expected "VERSION 1.0"')
    frames = _require_int(data['frame_count'], f'{video} frame_count', 0)
    width = _require_int(data['width'], f'{video} width', 1)
    height = _require_int(data['height'], f'{video} height', 1)
    trajectories = data['trajectories']
    if not isinstance(trajectories, list):
        raise VidVRDFormatError(f'{video} trajectories must be a list with '
                                'one entry per frame')
    if frames == 0 or not trajectories:
        raise VidVRDFormatError(
            f'{video} is an empty video (frame_count {frames}, '
            f'{len(trajectories)} trajectory frames)')
    if len(trajectories) != frames:
        raise VidVRDFormatError(
            f'{video} trajectories has {len(trajectories)} frame entries '
            f'but frame_count is {frames}')
    categories = _parse_objects(data['subject/objects'], video, vocabulary)
    boxes = _parse_boxes(trajectories, categories, video, width, height)
    relations = _parse_relations(data['relation_instances'], video, frames,
                                 boxes, vocabulary)
    fps = data.get('fps')
    return VideoRelationAnnotation(
        str(data['video_id']), frames, None if fps is None else float(fps),
        width, height, categories, boxes, relations)


def _parse_objects(objects, video: str, vocabulary) -> Dict[int, str]:
    if not isinstance(objects, list):
        raise VidVRDFormatError(f'{video} subject/objects must be a list')
    categories = {}
    for i, obj in enumerate(objects):
        where = f'{video} subject/objects[{i}]'
        _require_keys(obj, ('tid', 'category'), where)
        tid = _require_int(obj['tid'], f'{where}.tid')
        if tid in categories:
            raise VidVRDFormatError(f'{where}.tid {tid} is declared twice')
        category = obj['category']
        if vocabulary is not None and category not in vocabulary.object_split:
            raise VidVRDFormatError(
                f'{where}.category {category!r} is not a {vocabulary.name} '
                'object class')
        categories[tid] = category
    return categories


def check_box(box, where: str, width: float = None, height: float = None):
    """(x1, y1, x2, y2) floats of a finite, ordered box inside the frame."""
    if len(box) != 4 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v) for v in box):
        raise VidVRDFormatError(f'{where} must be 4 finite numbers, got '
                                f'{box!r}')
    x1, y1, x2, y2 = (float(v) for v in box)
    if x1 > x2 or y1 > y2:
        raise VidVRDFormatError(f'{where} {list(box)} has xmin > xmax or '
                                'ymin > ymax')
    if width is not None and (x1 < 0 or y1 < 0 or x2 > width or y2 > height):
        raise VidVRDFormatError(f'{where} {list(box)} lies outside the '
                                f'{width}x{height} frame')
    return x1, y1, x2, y2


def _parse_boxes(trajectories, categories, video, width, height):
    boxes = {
        tid: np.full((len(trajectories), 4), np.nan)
        for tid in categories
    }
    for fid, frame in enumerate(trajectories):
        if not isinstance(frame, list):
            raise VidVRDFormatError(f'{video} trajectories[{fid}] must be a '
                                    'list of boxes')
        for j, entry in enumerate(frame):
            where = f'{video} trajectories[{fid}][{j}]'
            _require_keys(entry, ('tid', 'bbox'), where)
            tid = entry['tid']
            if tid not in categories:
                raise VidVRDFormatError(f'{where}.tid {tid!r} is not in '
                                        'subject/objects')
            if not np.isnan(boxes[tid][fid, 0]):
                raise VidVRDFormatError(f'{where}.tid {tid} has two boxes '
                                        'in this frame')
            _require_keys(entry['bbox'], BOX_KEYS, f'{where}.bbox')
            boxes[tid][fid] = check_box([entry['bbox'][k] for k in BOX_KEYS],
                                        f'{where}.bbox', width, height)
    return boxes


def _parse_relations(relations, video, frames, boxes, vocabulary):
    if not isinstance(relations, list):
        raise VidVRDFormatError(f'{video} relation_instances must be a list')
    parsed = []
    for i, rel in enumerate(relations):
        where = f'{video} relation_instances[{i}]'
        _require_keys(
            rel,
            ('subject_tid', 'object_tid', 'predicate', 'begin_fid', 'end_fid'),
            where)
        for role in ('subject_tid', 'object_tid'):
            if rel[role] not in boxes:
                raise VidVRDFormatError(f'{where}.{role} {rel[role]!r} names'
                                        ' no object of subject/objects')
        predicate = rel['predicate']
        if vocabulary is not None and \
                predicate not in vocabulary.predicate_split:
            raise VidVRDFormatError(
                f'{where}.predicate {predicate!r} is not a '
                f'{vocabulary.name} predicate')
        begin = _require_int(rel['begin_fid'], f'{where}.begin_fid', 0)
        end = _require_int(rel['end_fid'], f'{where}.end_fid')
        if not begin < end <= frames:
            raise VidVRDFormatError(
                f'{where} [begin_fid, end_fid) = [{begin}, {end}) is empty '
                f'or exceeds frame_count {frames}')
        for role in ('subject_tid', 'object_tid'):
            absent = np.isnan(boxes[rel[role]][begin:end, 0])
            if absent.any():
                raise VidVRDFormatError(
                    f'{where}.{role} {rel[role]} has no box in frame '
                    f'{begin + int(absent.argmax())} of [{begin}, {end})')
        parsed.append(
            RelationInstance(rel['subject_tid'], rel['object_tid'], predicate,
                             begin, end))
    return parsed


def relation_groundtruth(
        annotations: List[VideoRelationAnnotation]) -> Dict[str, List[dict]]:
    """Consolidated GT ``{video_id: [instances]}`` of checked videos."""
    gt = {}
    for anno in annotations:
        if anno.video_id in gt:
            raise VidVRDFormatError(f'video {anno.video_id!r} is given '
                                    'twice')
        gt[anno.video_id] = anno.relation_instances()
    return gt


def segment_video(begin: int,
                  end: int,
                  length: int = 30,
                  stride: int = 15) -> List[Tuple[int, int]]:
    """VidVRD-helper's segments of ``[begin, end)``: 30 frames, stride 15."""
    return [(i, i + length) for i in range(begin, end - length + 1, stride)]
