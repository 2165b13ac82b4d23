"""A simple IoU tracker: per-frame detections into tracklets (SGDet).

Frames are visited in order. Each live track is extended by the unmatched
detection of the same class with the largest IoU with the track's last box,
if at least ``iou_threshold`` (greedy, best pairs first); unmatched
detections start new tracks; a track not extended for more than
``max_gap`` frames ends (the frames it missed inside stay without a box).
Tracks shorter than ``min_length`` frames or whose largest box side is
below ``min_side`` pixels are dropped, as RePro filters its tracklets
("th-15-5": 15 frames, 5 pixels). A tracklet's score is the mean of its
detection scores, its category the most frequent detected class.
"""
from collections import Counter
from typing import List, Optional, Sequence

import numpy as np

from .vidvrd_tracklets import Tracklet


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) IoU of inclusive pixel boxes (+1 convention)."""
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1 + 1, 0, None) * np.clip(y2 - y1 + 1, 0, None)
    area_a = (a[:, 2] - a[:, 0] + 1) * (a[:, 3] - a[:, 1] + 1)
    area_b = (b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1)
    return inter / (area_a[:, None] + area_b[None] - inter)


class _Track:

    def __init__(self, order: int, frame: int, box, score: float,
                 label) -> None:
        self.order = order
        self.begin, self.last = frame, frame
        self.boxes = {frame: box}
        self.scores, self.labels = [score], [label]

    def add(self, frame: int, box, score: float, label) -> None:
        self.boxes[frame], self.last = box, frame
        self.scores.append(score)
        self.labels.append(label)


def _assign(tracks: List[_Track], boxes, labels, threshold):
    """Greedy (track, detection) matches of the same class, best first."""
    if not tracks or not len(boxes):
        return []
    last = np.array([t.boxes[t.last] for t in tracks])
    iou = box_iou(last, boxes)
    same = np.array([[t.labels[-1] == label for label in labels]
                     for t in tracks])
    iou = np.where(same & (iou >= threshold), iou, -1.)
    matches = []
    for flat in np.argsort(-iou, axis=None, kind='stable'):
        i, j = np.unravel_index(flat, iou.shape)
        if iou[i, j] < 0:
            break
        matches.append((int(i), int(j)))
        iou[i, :], iou[:, j] = -1., -1.
    return matches


def track_detections(detections: Sequence[tuple],
                     iou_threshold: float = 0.5,
                     max_gap: int = 0,
                     min_length: int = 15,
                     min_side: float = 5.,
                     first_frame: int = 0) -> List[Tracklet]:
    """Link per-frame detections into tracklets (module docstring).

    Args:
        detections (Sequence[tuple]): Per frame ``(boxes (n, 4), scores
            (n,), labels (n,))``; labels are class names (or None).
        iou_threshold (float): Linking IoU. Defaults to 0.5.
        max_gap (int): Frames a track may miss. Defaults to 0.
        min_length (int): Shortest kept track (frames from its first to
            its last box). Defaults to 15.
        min_side (float): Smallest kept largest box side. Defaults to 5.
        first_frame (int): Frame id of ``detections[0]``. Defaults to 0.

    Returns:
        list[Tracklet]: tids 0, 1, ... in order of appearance.
    """
    live: List[_Track] = []
    done: List[_Track] = []
    created = 0
    for offset, (boxes, scores, labels) in enumerate(detections):
        frame = first_frame + offset
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        ended = [t for t in live if frame - t.last > max_gap + 1]
        done += ended
        live = [t for t in live if t not in ended]
        matches = _assign(live, boxes, list(labels), iou_threshold)
        for i, j in matches:
            live[i].add(frame, boxes[j], float(scores[j]), labels[j])
        matched = {j for _, j in matches}
        for j in range(len(boxes)):
            if j not in matched:
                live.append(
                    _Track(created, frame, boxes[j], float(scores[j]),
                           labels[j]))
                created += 1
    tracks = sorted(done + live, key=lambda t: t.order)
    return _to_tracklets(tracks, min_length, min_side)


def _to_tracklets(tracks, min_length: int, min_side: float) -> List[Tracklet]:
    out = []
    for track in tracks:
        length = track.last - track.begin + 1
        present = np.array(list(track.boxes.values()))
        side = max((present[:, 2:] - present[:, :2]).max(0))
        if length < min_length or side < min_side:
            continue
        boxes = np.full((length, 4), np.nan)
        for frame, box in track.boxes.items():
            boxes[frame - track.begin] = box
        category: Optional[str] = Counter(track.labels).most_common(1)[0][0]
        out.append(
            Tracklet(
                len(out), track.begin, boxes, float(np.mean(track.scores)),
                category))
    return out
