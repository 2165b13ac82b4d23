"""Segments of a video, their object tracks, pairs and relation targets.

Shared by :class:`VidVRDSegmentDataset` and the feature / description
tools, so that all three agree on frames, pairs and tids.

* **Segments** are VidVRD-helper's 30-frame windows with stride 15
  (:func:`segment_video`); a video shorter than one window is one segment
  covering it.
* **Sampled frames**: ``num_frames`` T frames of a segment ``[b, b + L)``
  at ``b + floor((i + 0.5) * L / T)``, i = 0..T-1 (T = 8 for L = 30: offsets
  1, 5, 9, 13, 16, 20, 24, 28, so overlapping segments share frames).
* **Tracks**: ground-truth trajectories (PredCls / SGCls) or detected
  tracklets (SGDet), cut to the segment; a tracklet restricted to a segment
  only appears in that one.
* **Pairs**: every ordered pair (s, o), s != o, of tracks present together
  on at least one sampled frame.
* **Relation targets** (R,) multi-hot: predicate r of pair (s, o) is
  positive when an annotated relation (s, r, o) overlaps the segment by at
  least ``min_relation_overlap`` frames (OV-MMP uses 10 for 30-frame clips;
  capped at the segment length). Detected tracklets take the relations of
  the ground-truth objects they match in the segment (vIoU >= 0.5, as
  OV-MMP's label assignment).
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .vidvrd_annotation import (RelationInstance, VideoRelationAnnotation,
                                segment_video)
from .vidvrd_tracklets import Tracklet


@dataclass
class Track:
    """An object track over a whole video.

    Attributes:
        tid (int): Track id.
        category (str | None): Class name (None: unknown).
        score (float): Confidence (1 for ground truth).
        boxes (ndarray): (frame_count, 4) float64, NaN where absent.
        segment (tuple | None): The only segment it belongs to.
    """
    tid: int
    category: Optional[str]
    score: float
    boxes: np.ndarray
    segment: Optional[Tuple[int, int]] = None


def gt_tracks(anno: VideoRelationAnnotation) -> List[Track]:
    """The annotated trajectories of a video, by tid."""
    return [
        Track(tid, anno.categories[tid], 1.0, anno.boxes[tid])
        for tid in sorted(anno.categories)
    ]


def tracklet_tracks(tracklets: Sequence[Tracklet],
                    frame_count: int) -> List[Track]:
    """Tracklets as whole-video tracks (checked to fit the video)."""
    tracks = []
    for t in tracklets:
        boxes = np.full((frame_count, 4), np.nan)
        boxes[t.begin:t.end] = t.boxes
        tracks.append(Track(t.tid, t.category, t.score, boxes, t.segment))
    return tracks


def video_segments(frame_count: int,
                   length: int = 30,
                   stride: int = 15) -> List[Tuple[int, int]]:
    """Segments of a video (see the module docstring)."""
    if frame_count < length:
        return [(0, frame_count)]
    return segment_video(0, frame_count, length, stride)


def sample_frames(begin: int, end: int, num_frames: int) -> np.ndarray:
    """(T,) int64 sampled frames of ``[begin, end)``."""
    length = end - begin
    offsets = np.floor((np.arange(num_frames) + 0.5) * length / num_frames)
    return begin + offsets.astype(np.int64)


def segment_viou(a: np.ndarray, b: np.ndarray) -> float:
    """vIoU of two (L, 4) trajectories (NaN = absent), +1 pixel convention.

    Volumes are summed over each trajectory's present frames, the overlap
    over the frames where both are present (VidVRD-helper's definition).
    """

    def volume(boxes):
        present = boxes[~np.isnan(boxes[:, 0])]
        return float(((present[:, 2] - present[:, 0] + 1) *
                      (present[:, 3] - present[:, 1] + 1)).sum())

    both = ~np.isnan(a[:, 0]) & ~np.isnan(b[:, 0])
    if not both.any():
        return 0.
    x1 = np.maximum(a[both, 0], b[both, 0])
    y1 = np.maximum(a[both, 1], b[both, 1])
    x2 = np.minimum(a[both, 2], b[both, 2])
    y2 = np.minimum(a[both, 3], b[both, 3])
    inter = float(
        (np.clip(x2 - x1 + 1, 0, None) * np.clip(y2 - y1 + 1, 0, None)).sum())
    return inter / (volume(a) + volume(b) - inter)


@dataclass
class SegmentPairs:
    """The tracks and candidate pairs of one segment.

    Attributes:
        segment (tuple[int, int]): ``[begin, end)``.
        frame_inds (ndarray): (T,) sampled frames.
        tids (ndarray): (K,) tids of the tracks in the segment.
        categories (list[str | None]): (K,) class names.
        scores (ndarray): (K,) float32 confidences.
        boxes (ndarray): (K, L, 4) float32 boxes over the segment's L
            frames, NaN where absent.
        pairs (ndarray): (P, 2) int64 indices into the K tracks.
        gt_tids (ndarray): (K,) matched ground-truth tid, -1 if none.
        predicates (list[set[str]]): (P,) predicates of each pair.
    """
    segment: Tuple[int, int]
    frame_inds: np.ndarray
    tids: np.ndarray
    categories: List[Optional[str]]
    scores: np.ndarray
    boxes: np.ndarray
    pairs: np.ndarray
    gt_tids: np.ndarray
    predicates: List[set]


def _match_ground_truth(boxes, gt_boxes, gt_tids, threshold):
    """Per track, the gt tid of best segment vIoU >= threshold, else -1."""
    matched = np.full(len(boxes), -1, dtype=np.int64)
    for k, track in enumerate(boxes):
        ious = [segment_viou(track, gt) for gt in gt_boxes]
        if ious and max(ious) >= threshold:
            matched[k] = gt_tids[int(np.argmax(ious))]
    return matched


def build_segment(tracks: Sequence[Track],
                  segment: Tuple[int, int],
                  num_frames: int,
                  relations: Sequence[RelationInstance] = (),
                  gt: Optional[Sequence[Track]] = None,
                  min_relation_overlap: int = 10,
                  match_threshold: float = 0.5) -> SegmentPairs:
    """Tracks, pairs and pair predicates of one segment.

    Args:
        tracks (Sequence[Track]): Whole-video tracks (GT or tracklets).
        segment (tuple[int, int]): ``[begin, end)``.
        num_frames (int): Sampled frames T.
        relations (Sequence[RelationInstance]): Annotated relations
            (ground-truth tids).
        gt (Sequence[Track], optional): Ground-truth tracks to match
            ``tracks`` against; None when ``tracks`` are the ground truth.
        min_relation_overlap (int): Frames a relation must share with the
            segment to be a target. Defaults to 10.
        match_threshold (float): vIoU matching tracklets to ground truth.
            Defaults to 0.5.

    Returns:
        SegmentPairs: The segment's content.
    """
    begin, end = segment
    frames = sample_frames(begin, end, num_frames)
    kept = [
        t for t in tracks if t.segment in (
            None, tuple(segment)) and not np.isnan(t.boxes[frames, 0]).all()
    ]
    boxes = np.stack([t.boxes[begin:end] for t in kept]) if kept else \
        np.zeros((0, end - begin, 4))
    tids = np.array([t.tid for t in kept], dtype=np.int64)
    if gt is None:
        gt_tids = tids.copy()
    else:
        gt_boxes = [g.boxes[begin:end] for g in gt]
        gt_tids = _match_ground_truth(boxes, gt_boxes, [g.tid for g in gt],
                                      match_threshold)
    present = ~np.isnan(boxes[:, frames - begin, 0])  # (K, T)
    together = present[:, None] & present[None]
    pairs = np.argwhere(together.any(-1) & ~np.eye(len(kept), dtype=bool))
    overlap = min(min_relation_overlap, end - begin)
    active: Dict[Tuple[int, int], set] = {}
    for rel in relations:
        if min(rel.end, end) - max(rel.begin, begin) >= overlap:
            active.setdefault((rel.subject_tid, rel.object_tid),
                              set()).add(rel.predicate)
    predicates = [
        active.get((int(gt_tids[s]), int(gt_tids[o])), set())
        if gt_tids[s] >= 0 and gt_tids[o] >= 0 else set() for s, o in pairs
    ]
    return SegmentPairs((begin, end), frames, tids, [t.category for t in kept],
                        np.array([t.score for t in kept], dtype=np.float32),
                        boxes.astype(np.float32),
                        pairs.reshape(-1, 2).astype(np.int64), gt_tids,
                        predicates)


def _fill_gaps(boxes: np.ndarray) -> np.ndarray:
    """(n, 4) boxes with NaN rows replaced by linear interpolation."""
    known = ~np.isnan(boxes[:, 0])
    if known.all():
        return boxes
    frames = np.arange(len(boxes))
    return np.stack(
        [np.interp(frames, frames[known], boxes[known, c]) for c in range(4)],
        1)


def pair_relation_span(subject_boxes, object_boxes,
                       begin: int) -> Optional[dict]:
    """Where a pair's segment relation lies, for association / evaluation.

    The duration runs from the first to the last frame of the segment on
    which both boxes are present (the temporal intersection of the two
    tracks, as RePro takes it); a box missing inside it (a tracklet gap) is
    interpolated linearly from its neighbours.

    Args:
        subject_boxes (ndarray | Tensor): (L, 4) boxes of the segment's
            frames, NaN where absent (a sample's ``subject_boxes[p]``).
        object_boxes (ndarray | Tensor): (L, 4).
        begin (int): The segment's first frame.

    Returns:
        dict | None: ``duration`` (begin, end) in video frames and
        ``sub_traj`` / ``obj_traj`` (end - begin, 4) float64 boxes, the
        fields of a relation of
        :func:`~mmaction_ext.evaluation.functional.vidvrd_association.
        greedy_relation_association`; None when the two never meet.
    """
    sub = np.asarray(subject_boxes, dtype=np.float64)
    obj = np.asarray(object_boxes, dtype=np.float64)
    both = np.flatnonzero(~np.isnan(sub[:, 0]) & ~np.isnan(obj[:, 0]))
    if not len(both):
        return None
    first, last = int(both[0]), int(both[-1]) + 1
    return dict(
        duration=(begin + first, begin + last),
        sub_traj=_fill_gaps(sub[first:last]),
        obj_traj=_fill_gaps(obj[first:last]))
