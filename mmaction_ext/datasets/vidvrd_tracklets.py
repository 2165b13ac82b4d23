"""Object tracklet files for VidVRD / VidOR (detected or ground truth).

The format this package reads (one JSON file for a set of videos)::

    {"format": "mmaction_ext.vidvrd_tracklets", "version": 1,
     "videos": {
       "<video_id>": [
         {"tid": 0,                  # unique within the video
          "begin_fid": 15,           # first frame of the tracklet
          "boxes": [[x1, y1, x2, y2], null, ...],  # one per frame from
                                     # begin_fid on; null: no box there
          "score": 0.93,             # detection / tracking confidence
          "category": "dog",         # class name, or null if unknown
          "segment": [15, 45]}       # optional: only used in this segment
       ]}}

Boxes are inclusive pixel coordinates (VidVRD's convention) and must lie in
the frame; a tracklet has at least one box. A tracklet without ``segment``
takes part in every segment it overlaps; with ``segment`` (trackers that
work per segment, e.g. RePro's Seq-NMS tracklets) only in that one.

Converters from the released tracklets of
RePro (github.com/Dawn-LX/OpenVoc-VidVRD, a folder of per-segment files
``<video>-<begin:04d>-<end:04d>.json``, each a list of ``{fstart, score,
bboxes, label | class, tid?}`` with ``fstart`` relative to the segment) and
OV-MMP (github.com/wangyongqi558/MMP_OV_VidVRD,
``{video: [{tid, category, score, begin_fid, end_fid, trajectory: {fid:
box}}]}``) are :func:`convert_repro_tracklets` and
:func:`convert_mmp_tracklets`.
"""
import glob
import math
import os.path as osp
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np

from .vidvrd_annotation import VidVRDFormatError, check_box, read_json

FORMAT = 'mmaction_ext.vidvrd_tracklets'
VERSION = 1
_SEGMENT_FILE = re.compile(r'^(?P<video>.+)-(?P<begin>\d+)-(?P<end>\d+)$')


@dataclass
class Tracklet:
    """One checked tracklet.

    Attributes:
        tid (int): Id, unique within its video.
        begin (int): First frame.
        boxes (ndarray): (L, 4) float64, NaN rows where there is no box.
        score (float): Confidence.
        category (str | None): Class name, None when unknown.
        segment (tuple[int, int] | None): The only segment it belongs to.
    """
    tid: int
    begin: int
    boxes: np.ndarray
    score: float
    category: Optional[str]
    segment: Optional[Tuple[int, int]] = None

    @property
    def end(self) -> int:
        return self.begin + len(self.boxes)


def _check_tracklet(entry, where: str) -> Tracklet:
    if not isinstance(entry, dict):
        raise VidVRDFormatError(f'{where} must be an object')
    missing = [k for k in ('tid', 'begin_fid', 'boxes') if k not in entry]
    if missing:
        raise VidVRDFormatError(f'{where} lacks {missing}')
    tid, begin = entry['tid'], entry['begin_fid']
    for name, value in (('tid', tid), ('begin_fid', begin)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise VidVRDFormatError(f'{where}.{name} must be an integer >= 0,'
                                    f' got {value!r}')
    boxes = entry['boxes']
    if not isinstance(boxes, list) or not boxes:
        raise VidVRDFormatError(f'{where}.boxes must be a non-empty list')
    array = np.full((len(boxes), 4), np.nan)
    for k, box in enumerate(boxes):
        if box is not None:
            array[k] = check_box(box, f'{where}.boxes[{k}]')
    if np.isnan(array[:, 0]).all():
        raise VidVRDFormatError(f'{where}.boxes holds no box')
    score = entry.get('score', 1.0)
    if isinstance(score, bool) or not isinstance(score, (int, float)) \
            or not math.isfinite(score):
        raise VidVRDFormatError(f'{where}.score must be a finite number, '
                                f'got {score!r}')
    category = entry.get('category')
    if category is not None and not isinstance(category, str):
        raise VidVRDFormatError(f'{where}.category must be a name or null')
    segment = entry.get('segment')
    if segment is not None:
        if not isinstance(segment, list) or len(segment) != 2 or not all(
                isinstance(v, int) for v in segment) or \
                not 0 <= segment[0] < segment[1]:
            raise VidVRDFormatError(f'{where}.segment must be [begin, end),'
                                    f' got {segment!r}')
        segment = tuple(segment)
        if begin < segment[0] or begin + len(boxes) > segment[1]:
            raise VidVRDFormatError(
                f'{where} spans frames [{begin}, {begin + len(boxes)}) '
                f'outside its segment {list(segment)}')
    return Tracklet(tid, begin, array, float(score), category, segment)


def _unique_tids(tracklets: List[Tracklet], where: str) -> List[Tracklet]:
    seen = set()
    for t in tracklets:
        if t.tid in seen:
            raise VidVRDFormatError(f'{where} tid {t.tid} is used twice')
        seen.add(t.tid)
    return tracklets


def parse_tracklets(data,
                    source: str = '<tracklets>') -> Dict[str, List[Tracklet]]:
    """Check a decoded tracklet file; ``{video_id: [Tracklet]}``."""
    if not isinstance(data, dict) or data.get('format') != FORMAT:
        raise VidVRDFormatError(
            f'{source}: not a tracklet file (expected "format": "{FORMAT}";'
            ' convert released tracklets with '
            'tools/sage/convert_tracklets.py)')
    if data.get('version') != VERSION:
        raise VidVRDFormatError(f'{source}: version {data.get("version")!r}'
                                f' is not {VERSION}')
    videos = data.get('videos')
    if not isinstance(videos, dict):
        raise VidVRDFormatError(f'{source}: "videos" must be an object '
                                '{video_id: [tracklets]}')
    parsed = {}
    for vid, entries in videos.items():
        where = f'{source}: video {vid!r}:'
        if not isinstance(entries, list):
            raise VidVRDFormatError(f'{where} tracklets must be a list')
        tracklets = [
            _check_tracklet(entry, f'{where} tracklets[{i}]')
            for i, entry in enumerate(entries)
        ]
        parsed[str(vid)] = _unique_tids(tracklets, where)
    return parsed


def load_tracklets(path: str) -> Dict[str, List[Tracklet]]:
    """Read and check a tracklet file (see the module docstring)."""
    return parse_tracklets(read_json(path), path)


def check_tracklets_in_video(tracklets: List[Tracklet], video: str,
                             frame_count: int, width: int,
                             height: int) -> None:
    """Each tracklet inside the video's frames and image; errors name it."""
    for t in tracklets:
        where = f'video {video!r}: tracklet tid {t.tid}'
        if t.end > frame_count:
            raise VidVRDFormatError(
                f'{where} spans frames [{t.begin}, {t.end}) beyond '
                f'frame_count {frame_count}')
        present = t.boxes[~np.isnan(t.boxes[:, 0])]
        outside = (present[:, 0] < 0) | (present[:, 1] < 0) | \
            (present[:, 2] > width) | (present[:, 3] > height)
        if outside.any():
            k = int(np.flatnonzero(~np.isnan(t.boxes[:, 0]))[outside][0])
            raise VidVRDFormatError(
                f'{where} box of frame {t.begin + k} '
                f'{t.boxes[k].tolist()} lies outside the {width}x{height} '
                'frame')


def tracklets_to_json(videos: Dict[str, List[Tracklet]]) -> dict:
    """The file content of ``videos`` (inverse of :func:`parse_tracklets`)."""
    out = {}
    for vid, tracklets in videos.items():
        rows = []
        for t in tracklets:
            row = dict(
                tid=int(t.tid),
                begin_fid=int(t.begin),
                boxes=[
                    None if np.isnan(b[0]) else [float(v) for v in b]
                    for b in t.boxes
                ],
                score=float(t.score),
                category=t.category)
            if t.segment is not None:
                row['segment'] = [int(v) for v in t.segment]
            rows.append(row)
        out[vid] = rows
    return dict(format=FORMAT, version=VERSION, videos=out)


def convert_repro_tracklets(
        folder: str,
        class_names: Optional[Dict[int,
                                   str]] = None) -> Dict[str, List[Tracklet]]:
    """RePro's per-segment tracking results as tracklets.

    Args:
        folder (str): Folder of ``<video>-<begin>-<end>.json`` files.
        class_names (dict[int, str], optional): Names of the detector's
            integer ``label`` ids; without it (and without a ``class``
            name in the entry) the category is null.

    Returns:
        dict[str, list[Tracklet]]: Per video, tids numbered 0, 1, ... in
        (segment, entry) order; each tracklet restricted to its segment.
    """
    paths = sorted(glob.glob(osp.join(folder, '*.json')))
    if not paths:
        raise VidVRDFormatError(f'{folder}: no <video>-<begin>-<end>.json '
                                'tracking result files')
    videos: Dict[str, List[Tracklet]] = {}
    for path in paths:
        match = _SEGMENT_FILE.match(osp.splitext(osp.basename(path))[0])
        if match is None:
            raise VidVRDFormatError(f'{path}: file name is not '
                                    '<video>-<begin>-<end>.json')
        vid = match['video']
        begin, end = int(match['begin']), int(match['end'])
        entries = read_json(path)
        if not isinstance(entries, list):
            raise VidVRDFormatError(f'{path}: expected a list of tracklets')
        tracklets = videos.setdefault(vid, [])
        for i, entry in enumerate(entries):
            where = f'{path}: [{i}]'
            if not isinstance(entry, dict) or 'bboxes' not in entry or \
                    'fstart' not in entry:
                raise VidVRDFormatError(f'{where} lacks fstart / bboxes')
            if isinstance(entry['fstart'], bool) or not isinstance(
                    entry['fstart'], int) or entry['fstart'] < 0:
                raise VidVRDFormatError(f'{where}.fstart must be a frame '
                                        f'offset >= 0, got '
                                        f'{entry["fstart"]!r}')
            category = entry.get('class')
            if category is None and class_names is not None and \
                    'label' in entry:
                if entry['label'] not in class_names:
                    raise VidVRDFormatError(f'{where}.label '
                                            f'{entry["label"]!r} has no name')
                category = class_names[entry['label']]
            tracklet = _check_tracklet(
                dict(
                    tid=len(tracklets),
                    begin_fid=begin + entry['fstart'],
                    boxes=entry['bboxes'],
                    score=entry.get('score', 1.0),
                    category=category,
                    segment=[begin, end]), where)
            tracklets.append(tracklet)
    return videos


def convert_mmp_tracklets(path: str) -> Dict[str, List[Tracklet]]:
    """OV-MMP's ``*_object_trajectories_meta.json`` as tracklets.

    Frames of ``[begin_fid, end_fid)`` missing from ``trajectory`` become
    null boxes; keys outside that range are an error.
    """
    data = read_json(path)
    if not isinstance(data, dict):
        raise VidVRDFormatError(f'{path}: expected {{video: [trajectories]}}')
    videos = {}
    for vid, entries in data.items():
        if not isinstance(entries, list):
            raise VidVRDFormatError(f'{path}: video {vid!r}: expected a list')
        tracklets = []
        for i, entry in enumerate(entries):
            where = f'{path}: video {vid!r}: [{i}]'
            keys = ('tid', 'begin_fid', 'end_fid', 'trajectory')
            if not isinstance(entry, dict) or any(k not in entry
                                                  for k in keys):
                raise VidVRDFormatError(f'{where} lacks one of {keys}')
            begin, end = entry['begin_fid'], entry['end_fid']
            if not isinstance(begin, int) or not isinstance(end, int) or \
                    not 0 <= begin < end:
                raise VidVRDFormatError(f'{where} [begin_fid, end_fid) = '
                                        f'[{begin!r}, {end!r}) is empty')
            boxes = [None] * (end - begin)
            for fid, box in entry['trajectory'].items():
                if not str(fid).isdigit() or not begin <= int(fid) < end:
                    raise VidVRDFormatError(
                        f'{where}.trajectory frame {fid!r} is outside '
                        f'[{begin}, {end})')
                boxes[int(fid) - begin] = box
            tracklets.append(
                _check_tracklet(
                    dict(
                        tid=entry['tid'],
                        begin_fid=begin,
                        boxes=boxes,
                        score=entry.get('score', 1.0),
                        category=entry.get('category')), where))
        videos[str(vid)] = _unique_tids(tracklets, f'{path}: video {vid!r}:')
    return videos
