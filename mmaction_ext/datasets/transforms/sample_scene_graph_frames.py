from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS

SHORT_MODES = ('repeat', 'pad')


def keyframe_positions(num_keyframes: int,
                       num_frames: int,
                       random: bool,
                       short_mode: str = 'repeat',
                       rng: np.random.Generator = None) -> np.ndarray:
    """Which keyframes to take, in temporal order.

    The K keyframes are split into N equal segments (TSN): training takes
    a random keyframe of each segment, evaluation its middle one. With
    K < N, ``'repeat'`` takes keyframe ``floor((i + 0.5) K / N)`` for
    frame i (each keyframe about N / K times, in order, in both modes) and
    ``'pad'`` takes every keyframe once followed by N - K padded frames
    (-1).

    Args:
        num_keyframes (int): K >= 1.
        num_frames (int): N.
        random (bool): Random (training) or middle (evaluation) choice.
        short_mode (str): ``'repeat'`` or ``'pad'``. Defaults to 'repeat'.
        rng (np.random.Generator, optional): For the random choice.
            Defaults to numpy's global generator.

    Returns:
        np.ndarray: int64 (N, ) positions in [0, K), or -1 for padding.
    """
    steps = np.arange(num_frames)
    if num_keyframes < num_frames:
        if short_mode == 'pad':
            return np.concatenate([
                np.arange(num_keyframes),
                np.full(num_frames - num_keyframes, -1)
            ]).astype(np.int64)
        return ((steps + 0.5) * num_keyframes // num_frames).astype(np.int64)
    if not random:
        return ((steps + 0.5) * num_keyframes / num_frames).astype(np.int64)
    starts = steps * num_keyframes // num_frames
    stops = (steps + 1) * num_keyframes // num_frames
    offsets = (rng.random(num_frames)
               if rng is not None else np.random.random(num_frames)) * (
                   stops - starts)
    return (starts + offsets.astype(np.int64)).astype(np.int64)


@TRANSFORMS.register_module()
class SampleSceneGraphFrames(BaseTransform):
    """Sample N keyframes of a scene-graph video and build their graphs.

    See :func:`keyframe_positions` for the sampling (random per segment in
    training, segment middles in evaluation; fewer keyframes than N are
    repeated or padded). Slots beyond the video's S are padding.

    Required keys: ``frame_inds`` (K, ), ``slot_classes`` (S, ), ``boxes``
    (K, S, 4), ``box_mask`` (K, S), ``relations`` (E, 4), ``num_slots``
    (M), ``num_relations`` (R) (all set by :class:`SceneGraphVideoDataset`).

    Added / replaced keys:

    - ``keyframe_inds``: int64 (N, ) positions in the video's keyframes,
      -1 for a padded frame;
    - ``frame_inds``: int64 (N, ) video frame indices, -1 when padded (the
      video's keyframes move to ``all_frame_inds``);
    - ``node_mask``: bool (N, M); ``boxes``: float32 (N, M, 4) xyxy
      pixels, 0 where masked;
    - ``relations``: float32 (N, M, M, R) multi-hot (the sparse rows move
      to ``relation_rows``);
    - ``slot_classes``: int64 (M, ), -1 for padded slots (the video's move
      to ``video_slot_classes``).

    Args:
        num_frames (int): N. Defaults to 16.
        test_mode (bool): Evaluation (deterministic middles). Defaults to
            False.
        short_mode (str): ``'repeat'`` or ``'pad'`` for K < N. Defaults to
            'repeat'.
    """

    def __init__(self,
                 num_frames: int = 16,
                 test_mode: bool = False,
                 short_mode: str = 'repeat') -> None:
        if short_mode not in SHORT_MODES:
            raise ValueError(f'short_mode must be one of {SHORT_MODES}, got '
                             f'{short_mode!r}')
        if num_frames < 1:
            raise ValueError(f'num_frames must be >= 1, got {num_frames}')
        self.num_frames = num_frames
        self.test_mode = test_mode
        self.short_mode = short_mode

    def transform(self, results: Dict) -> Dict:
        frame_inds = np.asarray(results['frame_inds'], np.int64)
        slots = np.asarray(results['slot_classes'], np.int64)
        num_slots, num_relations = results['num_slots'], results[
            'num_relations']
        if len(slots) > num_slots:
            raise ValueError(f'video {results.get("video_id")!r} has '
                             f'{len(slots)} slots, more than num_slots='
                             f'{num_slots}')
        pos = keyframe_positions(
            len(frame_inds), self.num_frames, not self.test_mode,
            self.short_mode)
        valid = pos >= 0
        take = np.where(valid, pos, 0)
        mask = np.zeros((self.num_frames, num_slots), bool)
        mask[:, :len(slots)] = results['box_mask'][take] & valid[:, None]
        boxes = np.zeros((self.num_frames, num_slots, 4), np.float32)
        boxes[:, :len(slots)] = results['boxes'][take]
        boxes *= mask[..., None]
        rows = np.asarray(results['relations'], np.int64).reshape(-1, 4)
        relations = np.zeros(
            (self.num_frames, num_slots, num_slots, num_relations), np.float32)
        frame_of = rows[:, 0][:, None] == np.where(valid, pos, -1)[None]
        row_idx, frame_idx = np.nonzero(frame_of)  # repeats give each frame
        picked = rows[row_idx]
        relations[frame_idx, picked[:, 1], picked[:, 2], picked[:, 3]] = 1.
        padded_slots = np.full(num_slots, -1, np.int64)
        padded_slots[:len(slots)] = slots
        results.update(
            all_frame_inds=frame_inds,
            keyframe_inds=pos,
            frame_inds=np.where(valid, frame_inds[take], -1),
            node_mask=mask,
            boxes=boxes,
            relation_rows=rows,
            relations=relations,
            video_slot_classes=slots,
            slot_classes=padded_slots)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_frames={self.num_frames}, '
                f'test_mode={self.test_mode}, '
                f'short_mode={self.short_mode!r})')
