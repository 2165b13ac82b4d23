from typing import Dict, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ValidCropResize(BaseTransform):
    """Crop the valid frames and resize them to ``clip_len`` frames.

    The temporal sampling of CTR-GCN / InfoGCN / GAP: the non-zero frames are
    cropped to a random ratio p ~ U(p_interval) of their length (at least
    ``min_len`` frames, random start) when training, or to the central
    ``p_interval[0]`` when testing, then linearly interpolated to
    ``clip_len`` frames. Replaces ``UniformSampleFrames`` + ``PoseDecode``.

    Required keys: ``keypoint`` (M, T, V, C). Modified: ``keypoint`` (M,
    clip_len, V, C), ``total_frames``. Added: ``clip_len``, ``num_clips``.

    Args:
        clip_len (int): Output frames. Defaults to 64.
        p_interval (Sequence[float]): Crop ratio range for training, or the
            single test ratio. Defaults to (0.5, 1).
        min_len (int): Shortest training crop. Defaults to 64.
        test_mode (bool): Deterministic central crop with the single ratio
            of ``p_interval``. Defaults to False.
    """

    def __init__(self,
                 clip_len: int = 64,
                 p_interval: Sequence[float] = (0.5, 1.),
                 min_len: int = 64,
                 test_mode: bool = False) -> None:
        self.clip_len = clip_len
        self.p_interval = tuple(p_interval)
        self.min_len = min_len
        self.test_mode = test_mode
        if test_mode and len(self.p_interval) != 1:
            raise ValueError('test_mode needs one crop ratio, e.g. '
                             'p_interval=(0.95, )')

    def transform(self, results: Dict) -> Dict:
        keypoint = results['keypoint']
        valid = int((np.abs(keypoint).sum(axis=(0, 2, 3)) != 0).sum())
        if valid == 0:
            raise ValueError(f'sample {results.get("frame_dir")!r} has no '
                             'non-zero frame')
        if self.test_mode:
            bias = int((1 - self.p_interval[0]) * valid / 2)
            start, length = bias, valid - 2 * bias
        else:
            low, high = self.p_interval
            p = np.random.rand() * (high - low) + low
            length = int(
                np.clip(np.floor(valid * p), min(self.min_len, valid), valid))
            start = np.random.randint(0, valid - length + 1)
        clip = torch.from_numpy(
            np.ascontiguousarray(
                keypoint[:, start:start + length], dtype=np.float32))
        M, _, V, C = clip.shape
        series = clip.permute(0, 2, 3, 1).reshape(1, M * V * C, length)
        series = F.interpolate(
            series, size=self.clip_len, mode='linear', align_corners=False)
        results['keypoint'] = series.reshape(M, V, C, self.clip_len).permute(
            0, 3, 1, 2).numpy()
        results['total_frames'] = self.clip_len
        results['clip_len'] = self.clip_len
        results['num_clips'] = 1
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'p_interval={self.p_interval}, min_len={self.min_len}, '
                f'test_mode={self.test_mode})')
