"""Action Genome + Charades -> the scene-graph video format.

Sources (read for facts): JingweiJ/ActionGenome ``README.md`` and
``tools/dump_frames.py`` (frames dumped with ``ffmpeg -i video %06d.png`` at
the video's own frame rate and size, so frame ``NNNNNN.png`` is the
0-based video frame ``NNNNNN - 1`` and boxes are in video pixels);
yrcong/STTran ``dataloader/action_genome.py`` (invisible objects have no box
and are left out; relation groups attention / spatial / contacting).

Per video (:mod:`mmaction_ext.datasets.scene_graph_format`): the keyframes
are the video's frame keys in ``object_bbox_and_relationship.pkl``; slot 0
is the person, then one slot per object class seen (visible) in the video,
in class-index order; relations are person -> object, one per name in the
object's attention, spatial and contacting lists.

Handled and counted in :class:`ConversionLog` (not errors):

- a frame with several person boxes: the highest ``bbox_score`` is kept;
  with none, the person slot is absent in that frame;
- an object with ``visible=False`` or no box: absent in that frame, its
  relations are not used;
- a second entry of the same class in a frame: its relations join the
  first's, its box is dropped;
- a box partly outside the frame: clipped to it;
- an action interval past the video's end: clipped to it.

Errors (the video is named; ``skip_bad`` leaves the video out and lists
it): a frame key missing from either pkl, a frame beyond the video, a
video missing from the Charades CSV of its split or from the video folder,
a box with no area inside the frame, an unknown object or relation name,
a video without any visible object, a frame size different from the
video's.
"""
import os.path as osp
import re
from collections import Counter, defaultdict
from typing import (Callable, Dict, List, NamedTuple, Optional, Sequence,
                    Tuple)

import numpy as np

from ..utils.errors import BadInputError
from .charades_annotation import CharadesVideo
from .conversion import normalise_class_name

_FRAME_KEY = re.compile(r'^(?P<video>[^/]+)\.mp4/(?P<frame>\d+)\.png$')
RELATION_KEYS = ('attention_relationship', 'spatial_relationship',
                 'contacting_relationship')


class VideoInfo(NamedTuple):
    """What the converter needs from a video file."""
    fps: float
    num_frames: int
    img_shape: Tuple[int, int]  # (H, W)


class BadVideo(BadInputError):
    """A video that cannot be converted; the message names it."""


class ConversionLog:
    """Counts of handled irregularities and the bad videos left out."""

    def __init__(self) -> None:
        self.counts = Counter()
        self.skipped: List[str] = []

    def summary(self) -> str:
        lines = [
            f'  {name}: {count}' for name, count in sorted(self.counts.items())
            if count
        ]
        if self.skipped:
            lines.append(f'  videos left out (bad input): {len(self.skipped)}')
        return '\n'.join(lines) or '  no irregularities'


def group_frame_keys(keys, where: str) -> Dict[str, List[Tuple[int, str]]]:
    """``{video_id: [(frame number, key), ...]}`` sorted by frame number.

    Raises:
        BadVideo: For a key not shaped ``<video>.mp4/<NNNNNN>.png``.
    """
    videos = defaultdict(list)
    for key in keys:
        match = _FRAME_KEY.match(key)
        if match is None:
            raise BadVideo(f'{where}: frame key {key!r} is not '
                           '"<video>.mp4/<NNNNNN>.png"')
        videos[match['video']].append((int(match['frame']), key))
    return {video: sorted(frames) for video, frames in videos.items()}


class VocabularyIndex:
    """Name -> index, matching names by :func:`normalise_class_name`."""

    def __init__(self, names: Sequence[str], what: str) -> None:
        self.index = {normalise_class_name(n): i for i, n in enumerate(names)}
        self.what = what

    def __call__(self, name: str, where: str) -> int:
        found = self.index.get(normalise_class_name(str(name)))
        if found is None:
            raise BadVideo(f'{where}: unknown {self.what} {name!r}')
        return found


def _clip_box(box, img_shape, where, log) -> np.ndarray:
    """Clip an xyxy box to the frame; no area inside it is an error."""
    height, width = img_shape
    box = np.asarray(box, np.float64)
    if box.shape != (4, ) or not np.isfinite(box).all():
        raise BadVideo(f'{where}: box {box.tolist()} is not 4 finite numbers')
    clipped = np.clip(box, 0, [width, height, width, height])
    if clipped[2] <= clipped[0] or clipped[3] <= clipped[1]:
        raise BadVideo(f'{where}: box {box.tolist()} (xyxy) has no area '
                       f'inside the {width}x{height} frame')
    if not np.array_equal(clipped, box):
        log.counts['boxes clipped to the frame'] += 1
    return clipped


def _person_box(person: Dict, img_shape, where, log) -> Optional[np.ndarray]:
    """The highest-scoring person box of a frame, or None."""
    size = person.get('bbox_size')
    if size is not None and tuple(int(s) for s in size) != img_shape[::-1]:
        raise BadVideo(f'{where}: person_bbox bbox_size (W, H) = '
                       f'{tuple(size)} differs from the video frame '
                       f'{img_shape[::-1]}')
    boxes = np.asarray(person.get('bbox', ()), np.float64).reshape(-1, 4)
    if len(boxes) == 0:
        log.counts['keyframes without a person box'] += 1
        return None
    if len(boxes) > 1:
        log.counts['keyframes with several person boxes (top kept)'] += 1
    scores = np.asarray(person.get('bbox_score', np.ones(len(boxes))))
    return _clip_box(boxes[int(np.argmax(scores))], img_shape, where, log)


def _visible_objects(objects: List[Dict], where: str, classes, log):
    """``[(class index, object dict)]`` of the visible objects of a frame."""
    visible = []
    for obj in objects:
        if not obj.get('visible', True) or obj.get('bbox') is None:
            log.counts['invisible objects (no box, relations unused)'] += 1
            continue
        visible.append((classes(obj.get('class'), where), obj))
    return visible


class SceneGraphBuilder:
    """Builds the per-video entries of one split.

    Args:
        person_boxes (dict): ``person_bbox.pkl``.
        objects (dict): ``object_bbox_and_relationship.pkl``.
        object_classes (list[str]): AG object classes, ``person`` first.
        relation_classes (list[str]): AG relationship classes.
        log (ConversionLog): Collects counts.
    """

    def __init__(self, person_boxes: Dict, objects: Dict,
                 object_classes: Sequence[str],
                 relation_classes: Sequence[str], log: ConversionLog) -> None:
        self.person_boxes = person_boxes
        self.objects = objects
        self.classes = VocabularyIndex(object_classes, 'object class')
        if self.classes.index.get('person') != 0:
            raise ValueError('object_classes must start with "person", got '
                             f'{list(object_classes)[:3]}')
        self.relations = VocabularyIndex(relation_classes, 'relation')
        self.log = log

    def _frames(self, video_id, frames, info: VideoInfo):
        """Keyframe indices and per-frame (person box, visible objects)."""
        indices, content = [], []
        for number, key in frames:
            if key not in self.person_boxes:
                raise BadVideo(f'video {video_id}: frame {key} is in '
                               'object_bbox_and_relationship.pkl but missing '
                               'from person_bbox.pkl')
            if not 1 <= number <= info.num_frames:
                raise BadVideo(f'video {video_id}: frame {key} is missing '
                               f'from the video ({info.num_frames} frames)')
            where = f'video {video_id} frame {key}'
            person = _person_box(self.person_boxes[key], info.img_shape, where,
                                 self.log)
            objects = _visible_objects(self.objects[key] or [], where,
                                       self.classes, self.log)
            indices.append(number - 1)
            content.append((person, objects, where))
        return np.asarray(indices, np.int64), content

    def build(self, video: CharadesVideo, frames: List[Tuple[int, str]],
              info: VideoInfo) -> Dict:
        """One entry of ``data_list``.

        Raises:
            BadVideo: Naming the video (and frame) of a problem.
        """
        frame_inds, content = self._frames(video.video_id, frames, info)
        seen = set()
        for _, objects, _ in content:
            seen.update(cls for cls, _ in objects)
        slot_classes = sorted(seen)
        if not slot_classes:
            raise BadVideo(f'video {video.video_id}: has no visible object '
                           f'in any of its {len(frames)} keyframes')
        slot_classes = [0] + slot_classes
        slot_of = {c: s for s, c in enumerate(slot_classes)}
        boxes = np.zeros((len(frames), len(slot_classes), 4), np.float32)
        mask = np.zeros(boxes.shape[:2], bool)
        relations = set()
        for k, (person, objects, where) in enumerate(content):
            if person is not None:
                boxes[k, 0], mask[k, 0] = person, True
            for cls, obj in objects:
                relations |= self._object(k, slot_of[cls], obj, boxes, mask,
                                          info, where)
        return dict(
            video_id=video.video_id,
            scene=video.scene,
            label=sorted(set(label for label, _, _ in video.actions)),
            action_intervals=self._intervals(video, info),
            fps=float(info.fps),
            num_frames=int(info.num_frames),
            img_shape=tuple(info.img_shape),
            frame_inds=frame_inds,
            slot_classes=np.asarray(slot_classes, np.int64),
            boxes=boxes,
            box_mask=mask,
            relations=np.asarray(sorted(relations), np.int64).reshape(-1, 4))

    def _object(self, k, slot, obj, boxes, mask, info, where) -> set:
        """Store one visible object's box; its (k, 0, slot, r) relations."""
        where = f'{where} ({obj.get("class")})'
        if mask[k, slot]:
            self.log.counts['repeated object classes in a frame (merged)'] += 1
        else:
            x, y, w, h = np.asarray(obj['bbox'], np.float64).reshape(4)
            box = _clip_box([x, y, x + w, y + h], info.img_shape, where,
                            self.log)
            boxes[k, slot], mask[k, slot] = box, True
        found = set()
        for key in RELATION_KEYS:
            for name in obj.get(key) or ():
                found.add((k, 0, slot, self.relations(name, where)))
        return found

    def _intervals(self, video: CharadesVideo, info: VideoInfo) -> List:
        """Action intervals in seconds, clipped to the video's duration."""
        duration = info.num_frames / info.fps
        intervals = []
        for label, start, end in video.actions:
            if not 0 <= start <= end:
                raise BadVideo(f'video {video.video_id}: action c{label:03d} '
                               f'has interval ({start}, {end})')
            if end > duration:
                self.log.counts['action intervals clipped to the video'] += 1
                end = duration
            intervals.append((label, float(min(start, end)), float(end)))
        return intervals


def convert_action_genome(
        person_boxes: Dict,
        objects: Dict,
        object_classes: Sequence[str],
        relation_classes: Sequence[str],
        charades: Dict[str, Dict[str, CharadesVideo]],
        video_info: Callable[[str], VideoInfo],
        skip_bad: bool = False,
        progress: Callable = iter
) -> Tuple[Dict[str, List[Dict]], ConversionLog]:
    """Convert every Action Genome video into the split it belongs to.

    A video's split is its frames' AG ``metadata['set']`` (``'train'`` or
    ``'test'``); frames without objects carry no set, then the Charades
    CSV that lists the video decides.

    Args:
        person_boxes (dict): ``person_bbox.pkl``.
        objects (dict): ``object_bbox_and_relationship.pkl``.
        object_classes (list[str]): AG object classes, ``person`` first.
        relation_classes (list[str]): AG relationship classes.
        charades (dict): ``{split: rows of that split's Charades CSV}``.
        video_info (callable): ``video_id -> VideoInfo``; raises
            ``BadVideo`` / ``FileNotFoundError`` for a missing video.
        skip_bad (bool): Leave bad videos out (listed in the log) instead
            of raising one error that names them all. Defaults to False.
        progress (callable): Wraps the iteration over the videos, e.g.
            ``tqdm``. Defaults to ``iter``.

    Returns:
        tuple[dict, ConversionLog]: ``{split: entries sorted by video id}``
        and the counts.

    Raises:
        BadVideo: Naming every bad video, unless ``skip_bad``.
    """
    log = ConversionLog()
    builder = SceneGraphBuilder(person_boxes, objects, object_classes,
                                relation_classes, log)
    frames_by_video = group_frame_keys(
        set(objects) | set(person_boxes), 'Action Genome pkls')
    entries, bad = {split: [] for split in charades}, []
    for video_id, frames in progress(sorted(frames_by_video.items())):
        try:
            split = _split_of(video_id, frames, objects, charades)
            entries[split].append(
                builder.build(charades[split][video_id], frames,
                              video_info(video_id)))
        except (BadVideo, FileNotFoundError) as err:
            bad.append(str(err))
    for split, rows in charades.items():
        log.counts[f'{split}: Charades videos without Action Genome frames '
                   '(not converted)'] = len(set(rows) - set(frames_by_video))
    if bad and not skip_bad:
        raise BadVideo('\n'.join([
            f'{len(bad)} bad video(s) (pass skip_bad '
            '/ --skip-bad to leave them out):'
        ] + [f'  {b}' for b in bad]))
    log.skipped += bad
    return entries, log


def _split_of(video_id: str, frames, objects: Dict, charades: Dict) -> str:
    """The split of a video, checked against the Charades CSVs."""
    first = frames[0][1]
    missing = [key for _, key in frames if key not in objects]
    if missing:
        raise BadVideo(f'video {video_id}: frame {missing[0]} is in '
                       'person_bbox.pkl but missing from '
                       f'object_bbox_and_relationship.pkl ({len(missing)} '
                       'such frame(s))')
    sets = {
        obj.get('metadata', {}).get('set')
        for _, key in frames
        for obj in objects[key] or ()
    }
    sets.discard(None)
    if len(sets) > 1:
        raise BadVideo(f'video {video_id}: its frames belong to the AG sets '
                       f'{sorted(sets)}')
    listed = [split for split, rows in charades.items() if video_id in rows]
    split = sets.pop() if sets else (listed[0] if listed else None)
    if split is None or video_id not in charades.get(split, {}):
        raise BadVideo(f'video {video_id}: frame {first} is an Action Genome '
                       f'{split or ""} frame, but the video is not in the '
                       f'Charades {split or ""} CSV'.replace('  ', ' '))
    return split


def video_info_reader(video_dir: str) -> Callable[[str], VideoInfo]:
    """``video_id -> VideoInfo`` of ``<video_dir>/<video_id>.mp4`` (decord).

    The frame rate, frame count and frame size are the file's own (Charades
    videos differ in frame rate). A missing file raises
    ``FileNotFoundError``, an unreadable one ``BadVideo``, both naming the
    video.
    """
    import decord

    def read(video_id: str) -> VideoInfo:
        path = osp.join(video_dir, f'{video_id}.mp4')
        if not osp.isfile(path):
            raise FileNotFoundError(f'video {video_id}: {path} not found '
                                    '(needed for its frame rate and size)')
        try:
            reader = decord.VideoReader(path)
            height, width = reader[0].shape[:2]
        except RuntimeError as err:
            raise BadVideo(f'video {video_id}: cannot decode {path} '
                           f'({str(err).splitlines()[0]})') from None
        return VideoInfo(
            float(reader.get_avg_fps()), len(reader), (height, width))

    return read
