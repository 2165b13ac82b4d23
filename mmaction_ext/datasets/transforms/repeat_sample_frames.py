from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RepeatSampleFrames(BaseTransform):
    """Sample ``clip_len`` frames as the official NW-UCLA feeder does.

    Training: the frame indices 0..T-1 are repeated ``num_repeats`` times,
    ``clip_len`` entries of that list are drawn without replacement and
    sorted (the feeder's ``sorted(random.sample(list(arange(T)) * 100,
    52))``), so short clips repeat frames and long clips are subsampled in
    order. Testing: ``np.linspace(0, T - 1, clip_len).astype(int)``. Replaces
    ``UniformSampleFrames`` + ``PoseDecode``.

    Required keys: ``keypoint`` (M, T, V, C). Modified: ``keypoint`` (M,
    clip_len, V, C), ``total_frames``. Added: ``clip_len``, ``num_clips``.

    Args:
        clip_len (int): Frames to sample. Defaults to 52.
        num_repeats (int): Copies of each frame index in the training pool.
            Defaults to 100.
        test_mode (bool): Deterministic linspace sampling. Defaults to
            False.
    """

    def __init__(self,
                 clip_len: int = 52,
                 num_repeats: int = 100,
                 test_mode: bool = False) -> None:
        self.clip_len = clip_len
        self.num_repeats = num_repeats
        self.test_mode = test_mode

    def frame_indices(self, num_frames: int) -> np.ndarray:
        """Sorted indices (clip_len, ) into a clip of ``num_frames``."""
        if self.test_mode:
            return np.linspace(0, num_frames - 1, self.clip_len).astype(int)
        pool_size = num_frames * self.num_repeats
        if pool_size < self.clip_len:
            raise ValueError(f'{num_frames} frames x {self.num_repeats} '
                             f'repeats < clip_len {self.clip_len}')
        drawn = np.random.choice(pool_size, self.clip_len, replace=False)
        return np.sort(drawn % num_frames)

    def transform(self, results: Dict) -> Dict:
        keypoint = results['keypoint']
        if keypoint.shape[1] == 0:
            raise ValueError(f'sample {results.get("frame_dir")!r} has no '
                             'frame')
        indices = self.frame_indices(keypoint.shape[1])
        results['keypoint'] = keypoint[:, indices]
        results['total_frames'] = self.clip_len
        results['clip_len'] = self.clip_len
        results['num_clips'] = 1
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(clip_len={self.clip_len}, '
                f'num_repeats={self.num_repeats}, '
                f'test_mode={self.test_mode})')
