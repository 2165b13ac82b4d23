import glob
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.logging import print_log

from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS
from .vidvrd_annotation import VidVRDFormatError, parse_annotation, read_json
from .vidvrd_classes import load_vocabulary
from .vidvrd_segments import (build_segment, gt_tracks, tracklet_tracks,
                              video_segments)
from .vidvrd_tracklets import check_tracklets_in_video, load_tracklets

TRAJECTORIES = ('gt', 'tracklets')
OUT_OF_SPLIT = ('error', 'drop')


@DATASETS.register_module()
class VidVRDSegmentDataset(BaseActionDataset):
    """VidVRD / VidOR relation segments: one sample = one segment.

    Each video (a VidVRD-helper annotation JSON under ``ann_file``, searched
    recursively) is cut into 30-frame segments with stride 15; a sample is
    one segment with its P subject-object pairs (see
    :mod:`mmaction_ext.datasets.vidvrd_segments` for segments, sampled
    frames, pairs and targets). Trajectories are the annotated ones
    (``trajectories='gt'``: PredCls, SGCls) or detected tracklets from a
    tracklet file (``'tracklets'``: SGDet; format in
    :mod:`mmaction_ext.datasets.vidvrd_tracklets`).

    **Sample contract** (with ``LoadVidVRDSegmentFeatures`` and
    ``PackActionInputs``; T = ``num_frames``, L = segment length, D the
    CLIP embedding size, Dm = 17, Dt the text embedding size, R the
    number of predicates of ``predicate_split``). The dataset gives:

    * ``video_id`` (str), ``segment`` (begin, end) exclusive end,
      ``segment_index`` / ``num_segments`` within the video,
      ``frame_inds`` (T,) int64 video frames, ``width``, ``height``;
    * ``pair_tids`` (P, 2) int64 subject / object track ids;
    * ``subject_labels`` / ``object_labels`` (P,) int64 indices into
      ``metainfo['objects']`` (-1: tracklet without a category);
    * ``subject_scores`` / ``object_scores`` (P,) float32 (1 for GT);
    * ``subject_boxes`` / ``object_boxes`` (P, L, 4) float32 inclusive
      pixel boxes over every frame of the segment, NaN where absent: what
      a segment relation's ``sub_traj`` / ``obj_traj`` are cut from (over
      the frames where both are present) before association;
    * ``relation_targets`` (P, R) float32 multi-hot over
      ``metainfo['predicates']``;
    * ``pair_mask`` (P, T) bool, both boxes present at a sampled frame;
    * ``gt_relations`` (test mode, on the first sample of each video
      only): the video's annotated relations in the
      :class:`VidVRDMetric` format (lists, all classes); other samples of
      the video do not carry the key.

    The transform adds ``subject_feats`` / ``object_feats`` /
    ``union_feats`` float32 (P, T, D), ``frame_feats`` (T, D),
    ``motion_feats`` (P, T, Dm) and optionally ``description_feats``
    (P, 4, Dt) (subject, object, union, global; absent = "w/o SE").
    The paper does not state T; 8 is the default. P differs between
    samples: the config pieces batch with ``pseudo_collate``, so a batch's
    ``inputs`` is a dict of lists of B tensors.

    Args:
        ann_file (str): Folder of annotation JSON files.
        pipeline (list): Transforms.
        data_prefix (dict): ``video`` (folder of the videos, used by the
            tools), ``features`` (folder of ``<video_id>.npz`` features),
            ``descriptions`` (folder of encoded descriptions). Defaults to
            empty paths.
        dataset (str): 'vidvrd' or 'vidor'. Defaults to 'vidvrd'.
        object_split (str): Label space of objects: 'all', 'base' or
            'novel'. Defaults to 'all'.
        predicate_split (str): Label space of predicates. Defaults to
            'all'.
        out_of_split (str): An object / predicate outside its split:
            'error' (named) or 'drop' (the object with its relations, the
            relation; counted in the log). Defaults to 'error'.
        trajectories (str): 'gt' or 'tracklets'. Defaults to 'gt'.
        tracklet_file (str, optional): Tracklet file for 'tracklets'.
        num_frames (int): Sampled frames T per segment. Defaults to 8.
        segment_length (int): Defaults to 30.
        segment_stride (int): Defaults to 15.
        min_relation_overlap (int): Frames a relation must overlap a
            segment to be a target. Defaults to 10.
        max_pairs (int, optional): Training cap of pairs per sample,
            positive pairs first, drawn anew each time. Defaults to None.
        skip_segments_without_relations (bool): Training: drop segments
            without a positive pair. Defaults to False.
        test_mode (bool): All pairs, segments without pairs kept only as
            the first of a video without any. Defaults to False.
        teacher (str, optional): Name of the semantic teacher whose
            descriptions ``data_prefix.descriptions`` holds (e.g.
            ``'asmv2'``); samples carry it as ``description_teacher`` and
            ``LoadVidVRDSegmentFeatures`` refuses an encoded file that
            records another teacher (or none). None accepts any. Defaults
            to None.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[dict, Callable]],
                 data_prefix: Optional[Dict] = None,
                 dataset: str = 'vidvrd',
                 object_split: str = 'all',
                 predicate_split: str = 'all',
                 out_of_split: str = 'error',
                 trajectories: str = 'gt',
                 tracklet_file: Optional[str] = None,
                 num_frames: int = 8,
                 segment_length: int = 30,
                 segment_stride: int = 15,
                 min_relation_overlap: int = 10,
                 max_pairs: Optional[int] = None,
                 skip_segments_without_relations: bool = False,
                 test_mode: bool = False,
                 teacher: Optional[str] = None,
                 **kwargs) -> None:
        if trajectories not in TRAJECTORIES:
            raise ValueError(f'trajectories must be one of {TRAJECTORIES}, '
                             f'got {trajectories!r}')
        if trajectories == 'tracklets' and not tracklet_file:
            raise ValueError("trajectories='tracklets' needs tracklet_file")
        if out_of_split not in OUT_OF_SPLIT:
            raise ValueError(f'out_of_split must be one of {OUT_OF_SPLIT}, '
                             f'got {out_of_split!r}')
        for name, value in (('num_frames', num_frames), ('segment_length',
                                                         segment_length),
                            ('segment_stride', segment_stride)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f'{name} must be a positive integer, got '
                                 f'{value!r}')
        if max_pairs is not None and max_pairs < 1:
            raise ValueError(f'max_pairs must be >= 1, got {max_pairs}')
        self.vocabulary = load_vocabulary(dataset)
        self.objects = tuple(
            o for o in self.vocabulary.objects
            if o in self.vocabulary.objects_of(object_split))
        self.predicates = tuple(
            p for p in self.vocabulary.predicates
            if p in self.vocabulary.predicates_of(predicate_split))
        self._object_index = {n: i for i, n in enumerate(self.objects)}
        self._predicate_index = {n: i for i, n in enumerate(self.predicates)}
        self.out_of_split = out_of_split
        self.trajectories = trajectories
        self.tracklet_file = tracklet_file
        self.num_frames = num_frames
        self.segment_length = segment_length
        self.segment_stride = segment_stride
        self.min_relation_overlap = min_relation_overlap
        self.max_pairs = max_pairs
        self.skip_segments_without_relations = \
            skip_segments_without_relations
        self.teacher = teacher
        prefix = dict(video='', features='', descriptions='')
        prefix.update(data_prefix or {})
        metainfo = dict(objects=self.objects, predicates=self.predicates)
        super().__init__(
            ann_file,
            pipeline=pipeline,
            data_prefix=prefix,
            test_mode=test_mode,
            num_classes=len(self.predicates),
            metainfo=metainfo,
            **kwargs)

    # ----------------------------------------------------------- loading
    def _annotation_files(self) -> List[str]:
        if not osp.isdir(self.ann_file):
            raise FileNotFoundError(f'ann_file {self.ann_file!r} is not a '
                                    'folder of annotation JSON files')
        paths = sorted(
            glob.glob(osp.join(self.ann_file, '**', '*.json'), recursive=True))
        if not paths:
            raise FileNotFoundError(f'no *.json annotation under '
                                    f'{self.ann_file}')
        return paths

    def _restrict_to_split(self, anno, source: str, dropped: Dict[str, int]):
        """Apply ``out_of_split`` to the classes outside the label space."""
        where = f'{source}: video {anno.video_id!r}:'
        for tid, category in sorted(anno.categories.items()):
            if category not in self.objects:
                if self.out_of_split == 'error':
                    raise VidVRDFormatError(
                        f'{where} subject/objects tid {tid} category '
                        f'{category!r} is not in the {len(self.objects)} '
                        'object classes of this split (out_of_split="drop" '
                        'drops it)')
                del anno.categories[tid], anno.boxes[tid]
                dropped['objects'] += 1
        kept = []
        for i, rel in enumerate(anno.relations):
            if rel.predicate not in self.predicates:
                if self.out_of_split == 'error':
                    raise VidVRDFormatError(
                        f'{where} relation_instances[{i}].predicate '
                        f'{rel.predicate!r} is not in the '
                        f'{len(self.predicates)} predicates of this split '
                        '(out_of_split="drop" drops it)')
                dropped['relations'] += 1
            elif rel.subject_tid in anno.categories and \
                    rel.object_tid in anno.categories:
                kept.append(rel)
            else:
                dropped['relations'] += 1
        anno.relations = kept

    def _video_tracks(self, anno, tracklets, source, dropped):
        if self.trajectories == 'gt':
            return gt_tracks(anno), None
        if anno.video_id not in tracklets:
            raise VidVRDFormatError(f'{self.tracklet_file}: no tracklets of '
                                    f'video {anno.video_id!r} ({source})')
        videos = tracklets[anno.video_id]
        check_tracklets_in_video(videos, anno.video_id, anno.frame_count,
                                 anno.width, anno.height)
        segments = set(self._segments(anno.frame_count))
        for t in videos:
            if t.segment is not None and t.segment not in segments:
                raise VidVRDFormatError(
                    f'{self.tracklet_file}: video {anno.video_id!r}: '
                    f'tracklet tid {t.tid} segment {list(t.segment)} is not '
                    f'one of the video\'s {self.segment_length}-frame '
                    f'segments with stride {self.segment_stride}')
            if t.category is not None and t.category not in self.objects:
                if self.out_of_split == 'error':
                    raise VidVRDFormatError(
                        f'{self.tracklet_file}: video {anno.video_id!r}: '
                        f'tracklet tid {t.tid} category {t.category!r} is '
                        'not in the object classes of this split')
        kept = [
            t for t in videos
            if t.category is None or t.category in self.objects
        ]
        dropped['objects'] += len(videos) - len(kept)
        return tracklet_tracks(kept, anno.frame_count), gt_tracks(anno)

    def _segments(self, frame_count):
        return video_segments(frame_count, self.segment_length,
                              self.segment_stride)

    def load_data_list(self) -> List[dict]:
        """One entry per segment of every video (see the class doc)."""
        tracklets = load_tracklets(self.tracklet_file) \
            if self.trajectories == 'tracklets' else None
        dropped = dict(objects=0, relations=0, segments=0)
        data_list = []
        for path in self._annotation_files():
            raw = read_json(path)
            anno = parse_annotation(raw, path, self.vocabulary)
            gt_relations = _json_relations(anno.relation_instances())
            self._restrict_to_split(anno, path, dropped)
            tracks, gt = self._video_tracks(anno, tracklets, path, dropped)
            video_path = osp.join(
                self.data_prefix['video'],
                raw.get('video_path', f'{anno.video_id}.mp4'))
            entries = []
            segments = self._segments(anno.frame_count)
            for index, segment in enumerate(segments):
                seg = build_segment(tracks, segment, self.num_frames,
                                    anno.relations, gt,
                                    self.min_relation_overlap)
                entries.append(
                    self._entry(anno, seg, index, len(segments), video_path))
            kept = [e for e in entries if self._keep(e)]
            if self.test_mode and not kept:
                kept = entries[:1]
            dropped['segments'] += len(entries) - len(kept)
            if self.test_mode:
                kept[0]['gt_relations'] = gt_relations
            data_list.extend(kept)
        if any(dropped.values()):
            print_log(
                f'VidVRDSegmentDataset({self.ann_file}): dropped '
                f'{dropped["objects"]} objects and {dropped["relations"]} '
                'relations outside the split, skipped '
                f'{dropped["segments"]} segments without pairs' +
                (' or relations'
                 if self.skip_segments_without_relations else ''),
                logger='current')
        return data_list

    def _keep(self, entry) -> bool:
        if not len(entry['pairs']):
            return False
        if self.skip_segments_without_relations and not self.test_mode:
            return any(entry['pair_predicates'])
        return True

    def _entry(self, anno, seg, index, num_segments, video_path) -> dict:
        label, predicate = self._object_index, self._predicate_index
        return dict(
            video_id=anno.video_id,
            video_path=video_path,
            feature_file=osp.join(self.data_prefix['features'],
                                  f'{anno.video_id}.npz'),
            description_file=osp.join(self.data_prefix['descriptions'],
                                      f'{anno.video_id}.npz'),
            width=anno.width,
            height=anno.height,
            frame_count=anno.frame_count,
            segment=seg.segment,
            segment_index=index,
            num_segments=num_segments,
            frame_inds=seg.frame_inds,
            track_tids=seg.tids,
            track_labels=np.array([label.get(c, -1) for c in seg.categories],
                                  dtype=np.int64),
            track_scores=seg.scores,
            track_boxes=seg.boxes,
            pairs=seg.pairs,
            pair_predicates=[
                sorted(predicate[p] for p in preds) for preds in seg.predicates
            ])

    # ----------------------------------------------------------- samples
    def _pick_pairs(self, info) -> np.ndarray:
        num = len(info['pairs'])
        if self.test_mode or self.max_pairs is None or num <= self.max_pairs:
            return np.arange(num)
        positive = np.array([bool(p) for p in info['pair_predicates']])
        order = np.concatenate([
            np.random.permutation(np.flatnonzero(positive)),
            np.random.permutation(np.flatnonzero(~positive))
        ])
        return np.sort(order[:self.max_pairs])

    def get_data_info(self, idx: int) -> dict:
        """A segment with its (sampled) pairs expanded; see the class doc."""
        info = super().get_data_info(idx)
        chosen = self._pick_pairs(info)
        pairs = info.pop('pairs')[chosen].reshape(-1, 2)
        predicates = info.pop('pair_predicates')
        tids, boxes = info.pop('track_tids'), info.pop('track_boxes')
        labels, scores = info.pop('track_labels'), info.pop('track_scores')
        targets = np.zeros((len(pairs), len(self.predicates)),
                           dtype=np.float32)
        for row, p in enumerate(chosen):
            targets[row, predicates[p]] = 1.
        sub, obj = pairs[:, 0], pairs[:, 1]
        local = info['frame_inds'] - info['segment'][0]
        present = ~np.isnan(boxes[:, local, 0]) if len(boxes) else \
            np.zeros((0, len(local)), dtype=bool)
        info.update(
            pair_tids=np.stack([tids[sub], tids[obj]], 1).reshape(-1, 2),
            subject_labels=labels[sub],
            object_labels=labels[obj],
            subject_scores=scores[sub],
            object_scores=scores[obj],
            subject_boxes=boxes[sub],
            object_boxes=boxes[obj],
            relation_targets=targets,
            pair_mask=present[sub] & present[obj],
            description_teacher=self.teacher)
        return info


def _json_relations(instances: Sequence[dict]) -> List[dict]:
    """GT instances with list trajectories (what VidVRDMetric checks)."""
    return [
        dict(
            triplet=list(inst['triplet']),
            duration=list(inst['duration']),
            sub_traj=inst['sub_traj'].tolist(),
            obj_traj=inst['obj_traj'].tolist()) for inst in instances
    ]
