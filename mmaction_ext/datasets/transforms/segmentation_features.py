from typing import Dict, Optional, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS


def valid_span(keypoint: np.ndarray) -> Tuple[int, int]:
    """First and one-past-last frame with any nonzero coordinate.

    Args:
        keypoint (np.ndarray): Joints (M, T, V, C).

    Returns:
        tuple[int, int]: ``(start, end)``; ``(0, T)`` if all are zero.
    """
    valid = (keypoint != 0).any(axis=(0, 2, 3))
    if not valid.any():
        return 0, len(valid)
    return int(np.argmax(valid)), len(valid) - int(np.argmax(valid[::-1]))


def displacement_and_relative(keypoint: np.ndarray,
                              root_joint: int = 0) -> np.ndarray:
    """Displacement and root-relative coordinates per person.

    Within the valid span ``[start, end)`` of :func:`valid_span` (shared by
    all persons): displacement ``x[t + 1] - x[t]`` (0 at ``end - 1``) and
    ``x[t] - x[t, root_joint]``; both are 0 outside the span.

    Args:
        keypoint (np.ndarray): Joints (M, T, V, C).
        root_joint (int): Reference joint of the relative coordinates.

    Returns:
        np.ndarray: Features (M * 2 * C, T, V) in the channel order
        ``[p0 disp (C), p0 rel (C), p1 disp (C), p1 rel (C), ...]``.
    """
    persons, frames, joints, dims = keypoint.shape
    start, end = valid_span(keypoint)
    span = keypoint[:, start:end]
    disp = np.zeros_like(keypoint)
    disp[:, start:end - 1] = span[:, 1:] - span[:, :-1]
    rel = np.zeros_like(keypoint)
    rel[:, start:end] = span - span[:, :, root_joint:root_joint + 1]
    feature = np.concatenate([disp, rel], axis=-1)  # M, T, V, 2C
    return feature.transpose(0, 3, 1, 2).reshape(-1, frames, joints)


def centred_pixels(keypoint: np.ndarray, image_size: Tuple[int, int],
                   root_joint: int) -> np.ndarray:
    """MCFS features: ``x / W - 0.5``, ``y / H - 0.5`` minus a root joint.

    Args:
        keypoint (np.ndarray): Pixel joints (M, T, V, C >= 2); only x, y
            are used.
        image_size (tuple[int, int]): (W, H) of the images.
        root_joint (int): Joint subtracted from all (8 = MidHip of BODY_25).

    Returns:
        np.ndarray: Features (M * 2, T, V), per person ``[x, y]``.
    """
    xy = keypoint[..., :2] / np.asarray(image_size, keypoint.dtype) - 0.5
    xy = xy - xy[:, :, root_joint:root_joint + 1]
    persons, frames, joints, _ = xy.shape
    return xy.transpose(0, 3, 1, 2).reshape(-1, frames, joints)


@TRANSFORMS.register_module()
class SegmentationFeatures(BaseTransform):
    """TRG-Net's input features from raw joints, as the official loader.

    Modes:

    - ``'disp_rel'`` (PKU-MMD, LARa, TCG-15): per person, the displacement
      ``x[t + 1] - x[t]`` over the valid frames (span from the first to the
      last frame with any nonzero coordinate of any person), 0 at the last
      valid frame, and the coordinates relative to ``root_joint``; output
      (M * 2 * C, T, V) with channels ``[p0 disp xyz, p0 rel xyz, p1 disp
      xyz, p1 rel xyz]``, e.g. 12 x T x 25 for PKU-MMD (M = 2, C = 3).
      Official root joints: 0 (PKU-MMD SpineBase, LARa), 2 (TCG-15).
    - ``'mcfs'`` (MCFS-22/130, OpenPose BODY_25 pixels): ``x / W - 0.5``,
      ``y / H - 0.5``, minus ``root_joint`` (8, MidHip); output (M * 2, T,
      V), i.e. 2 x T x 25 for one person.

    The official tensors are (C', V, T); ours are (C', T, V) as in
    MMAction2 (the TRG-Net model transposes to (N, C, T, V) anyway).

    Required keys: ``keypoint`` (M, T, V, C). Added: ``inputs`` float32
    (C', T, V).

    Args:
        mode (str): ``'disp_rel'`` or ``'mcfs'``. Defaults to
            ``'disp_rel'``.
        root_joint (int, optional): Reference joint. Defaults to 0 for
            ``'disp_rel'`` and 8 for ``'mcfs'``.
        image_size (tuple[int, int]): (W, H) for ``'mcfs'``. Defaults to
            (1280, 720).
        num_person (int, optional): Zero-pad or cut the persons to M so the
            channel count is fixed (PKU-MMD: 2). None keeps M.
    """

    MODES = ('disp_rel', 'mcfs')

    def __init__(self,
                 mode: str = 'disp_rel',
                 root_joint: Optional[int] = None,
                 image_size: Tuple[int, int] = (1280, 720),
                 num_person: Optional[int] = None) -> None:
        if mode not in self.MODES:
            raise ValueError(f'mode must be one of {self.MODES}, got '
                             f'{mode!r}')
        self.mode = mode
        self.root_joint = root_joint if root_joint is not None else (
            0 if mode == 'disp_rel' else 8)
        self.image_size = tuple(image_size)
        self.num_person = num_person

    def _persons(self, keypoint: np.ndarray) -> np.ndarray:
        """Keypoints with exactly ``num_person`` persons (zero-padded)."""
        if self.num_person is None or len(keypoint) == self.num_person:
            return keypoint
        fixed = np.zeros((self.num_person, ) + keypoint.shape[1:],
                         keypoint.dtype)
        kept = min(self.num_person, len(keypoint))
        fixed[:kept] = keypoint[:kept]
        return fixed

    def transform(self, results: Dict) -> Dict:
        keypoint = self._persons(np.asarray(results['keypoint'], np.float32))
        if self.mode == 'disp_rel':
            feature = displacement_and_relative(keypoint, self.root_joint)
        else:
            feature = centred_pixels(keypoint, self.image_size,
                                     self.root_joint)
        results['inputs'] = feature.astype(np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(mode={self.mode!r}, '
                f'root_joint={self.root_joint}, '
                f'image_size={self.image_size}, '
                f'num_person={self.num_person})')
