"""CLIP RoI features of scene-graph nodes (``tools/proda/
extract_node_features.py``).

Each keyframe is resized so its short side is ``image_size`` (the long side
rounded to a multiple of the patch size), normalised with CLIP's mean and
std, and encoded by :class:`CLIPVisionEncoder`; every present slot's box,
scaled alike, is pooled from the patch-token grid with
:func:`mmaction_ext.ops.roi_align` (average over ``roi_size`` x
``roi_size`` bins, then over the bins), giving one D-dim feature per slot
and keyframe.
"""
import os.path as osp
from typing import Dict

import numpy as np
import torch
import torch.nn.functional as F

from ..ops import roi_align
from ..utils.errors import BadInputError

# CLIP's normalisation on a 0-255 scale (OpenAI CLIP, clip/clip.py).
CLIP_MEAN = (122.770938, 116.7460125, 104.09373615)
CLIP_STD = (68.5005327, 66.6321579, 70.32316305)


def read_video_frames(path: str, frame_inds: np.ndarray,
                      video_id: str) -> np.ndarray:
    """uint8 RGB frames (K, H, W, 3) of an mp4, decoded with decord."""
    import decord
    if not osp.isfile(path):
        raise FileNotFoundError(f'video {video_id}: {path} not found')
    try:
        reader = decord.VideoReader(path)
    except RuntimeError as err:
        raise BadInputError(f'video {video_id}: cannot decode {path} '
                            f'({str(err).splitlines()[0]})') from None
    beyond = [int(i) for i in frame_inds if i >= len(reader)]
    if beyond:
        raise BadInputError(f'video {video_id}: keyframe {beyond[0]} is '
                            f'missing from {path} ({len(reader)} frames)')
    return reader.get_batch(list(map(int, frame_inds))).asnumpy()


def read_frame_folder(folder: str, frame_inds: np.ndarray,
                      video_id: str) -> np.ndarray:
    """Frames ``<folder>/<NNNNNN>.png`` (Action Genome's dump, 1-based)."""
    import cv2
    frames = []
    for index in frame_inds:
        path = osp.join(folder, f'{int(index) + 1:06d}.png')
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            raise FileNotFoundError(f'video {video_id}: frame {path} is '
                                    'missing or unreadable')
        frames.append(image[..., ::-1])
    return np.stack(frames)


class NodeFeatureExtractor:
    """Encode keyframes with CLIP and pool every slot's box.

    Args:
        encoder (CLIPVisionEncoder): With ``patch_grid`` set.
        image_size (int): Short side of the resized frames. Defaults to
            224.
        roi_size (int): RoIAlign bins per side. Defaults to 7.
        batch_size (int): Frames per forward pass. Defaults to 16.
    """

    def __init__(self,
                 encoder,
                 image_size: int = 224,
                 roi_size: int = 7,
                 batch_size: int = 16) -> None:
        if encoder.patch_grid is None:
            raise ValueError('the encoder needs patch_grid set')
        self.encoder = encoder.eval()
        self.image_size = image_size
        self.roi_size = roi_size
        self.batch_size = batch_size

    def resized_shape(self, height: int, width: int) -> tuple:
        """(h, w): short side ``image_size``, both multiples of the patch."""
        patch = self.encoder.patch_size
        scale = self.image_size / min(height, width)
        return tuple(
            max(patch,
                int(round(side * scale / patch)) * patch)
            for side in (height, width))

    def preprocess(self, frames: np.ndarray) -> torch.Tensor:
        """uint8 (K, H, W, 3) RGB -> normalised float (K, 3, h, w)."""
        device = next(self.encoder.parameters()).device
        images = torch.from_numpy(np.ascontiguousarray(frames)).to(device)
        images = images.permute(0, 3, 1, 2).float()
        images = F.interpolate(
            images,
            self.resized_shape(*frames.shape[1:3]),
            mode='bilinear',
            align_corners=False)
        mean = images.new_tensor(CLIP_MEAN)[:, None, None]
        std = images.new_tensor(CLIP_STD)[:, None, None]
        return (images - mean) / std

    @torch.no_grad()
    def __call__(self, frames: np.ndarray, entry: Dict) -> np.ndarray:
        """float32 (K, S, D) features of ``entry``'s boxes, 0 if absent.

        Args:
            frames (np.ndarray): uint8 RGB (K, H, W, 3), the keyframes.
            entry (dict): The video's annotation (``boxes`` (K, S, 4) in
                pixels of (H, W), ``box_mask`` (K, S), ``img_shape``).
        """
        height, width = frames.shape[1:3]
        if tuple(entry['img_shape']) != (height, width):
            raise BadInputError(
                f'video {entry["video_id"]}: frames are {height}x{width} '
                f'(HxW), the annotation boxes are for {entry["img_shape"]}')
        new_h, new_w = self.resized_shape(height, width)
        scale = np.array([new_w / width, new_h / height] * 2, np.float32)
        mask = entry['box_mask']
        out = None
        for start in range(0, len(frames), self.batch_size):
            stop = start + self.batch_size
            _, grid = self.encoder(self.preprocess(frames[start:stop]))
            if out is None:
                out = np.zeros(mask.shape + (grid.shape[1], ), np.float32)
            frame, slot = np.nonzero(mask[start:stop])
            if not len(frame):
                continue
            boxes = entry['boxes'][start:stop][frame, slot] * scale
            rois = torch.from_numpy(
                np.concatenate([frame[:, None], boxes],
                               1).astype(np.float32)).to(grid)
            pooled = roi_align(
                grid,
                rois,
                self.roi_size,
                spatial_scale=1. / self.encoder.patch_size,
                sampling_ratio=2,
                aligned=True).mean((2, 3))
            out[start + frame, slot] = pooled.float().cpu().numpy()
        return out
