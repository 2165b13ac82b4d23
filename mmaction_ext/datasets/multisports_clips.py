"""MultiSports action tubes as trimmed, labelled clips (classification).

MultiSports (Li et al., ICCV 2021) annotates spatio-temporal action tubes:
``multisports_GT.pkl`` holds ``labels`` (66 names), ``train_videos[0]`` /
``test_videos[0]`` (video ids such as ``aerobic_gymnastics/v_xxx``, files
``<id>.mp4``) and ``gttubes[video][label]``: tubes, each an (n, 5) array
of ``frame`` (1-based), x1, y1, x2, y2 (the layout MMAction2's
``tools/data/multisports/parse_anno.py`` reads). For action classification
(A2O's MultiSports setting) every tube becomes one clip from its first to
its last frame, listed as ``<clip> <label>`` for ``VideoDataset``.
"""
import os
import os.path as osp
from typing import Dict, Iterator, List, Tuple

import numpy as np

from ..fileio.safe_pickle import safe_load
from ..utils.errors import BadInputError
from .conversion import InputFileError

SPLITS = dict(train='train_videos', val='test_videos')


def load_multisports_gt(path: str) -> Dict:
    """The GT pickle (restricted unpickling), checked for its keys."""
    gt = safe_load(path)
    missing = [
        k for k in ('labels', 'gttubes', 'train_videos', 'test_videos')
        if not isinstance(gt, dict) or k not in gt
    ]
    if missing:
        raise InputFileError(path, f'not a MultiSports GT file: no {missing}')
    return gt


def tube_spans(gt: Dict,
               split: str) -> Iterator[Tuple[str, int, int, int, int]]:
    """(video, label, tube index, first frame, last frame), 0-based
    inclusive frames, in video, label and tube order."""
    if split not in SPLITS:
        raise BadInputError(f'split must be one of {list(SPLITS)}, got '
                            f'{split!r}')
    for video in gt[SPLITS[split]][0]:
        for label in sorted(gt['gttubes'].get(video, {})):
            for index, tube in enumerate(gt['gttubes'][video][label]):
                frames = np.asarray(tube)[:, 0].astype(int) - 1
                yield video, int(label), index, int(frames.min()), int(
                    frames.max())


def clip_name(video: str, label: int, index: int) -> str:
    return f'{video}_l{label:02d}_t{index:02d}.mp4'


def cut_tube_clips(gt: Dict,
                   split: str,
                   video_root: str,
                   out_dir: str,
                   short_side: int = 0,
                   chunk: int = 64) -> List[str]:
    """Write the clips of a split; existing clips are kept (resumable).

    Args:
        gt (dict): See :func:`load_multisports_gt`.
        split (str): 'train' or 'val' (the GT's test videos).
        video_root (str): Folder of ``<video id>.mp4``.
        out_dir (str): Output folder of the clips.
        short_side (int): Resize to this short side; 0 keeps the size.
        chunk (int): Frames decoded at a time.

    Returns:
        list[str]: ``<clip> <label>`` lines.
    """
    import cv2
    import decord
    lines = []
    for video, label, index, first, last in tube_spans(gt, split):
        name = clip_name(video, label, index)
        lines.append(f'{name} {label}')
        target = osp.join(out_dir, name)
        if osp.isfile(target):
            continue
        source = osp.join(video_root, video + '.mp4')
        if not osp.isfile(source):
            raise FileNotFoundError(f'MultiSports video {source!r} is '
                                    'missing')
        reader = decord.VideoReader(source, num_threads=1)
        if last >= len(reader):
            raise InputFileError(
                source, f'has {len(reader)} frames; tube {index} of label '
                f'{label} ends at frame {last + 1}')
        os.makedirs(osp.dirname(target), exist_ok=True)
        tmp, writer = target + '.part.mp4', None
        for start in range(first, last + 1, chunk):
            frames = reader.get_batch(
                list(range(start, min(start + chunk, last + 1)))).asnumpy()
            for frame in frames:
                if short_side:
                    scale = short_side / min(frame.shape[:2])
                    frame = cv2.resize(
                        frame, (round(frame.shape[1] * scale) // 2 * 2,
                                round(frame.shape[0] * scale) // 2 * 2),
                        interpolation=cv2.INTER_AREA)
                if writer is None:
                    writer = cv2.VideoWriter(tmp,
                                             cv2.VideoWriter_fourcc(*'mp4v'),
                                             reader.get_avg_fps(),
                                             frame.shape[1::-1])
                writer.write(np.ascontiguousarray(frame[..., ::-1]))
        writer.release()
        os.replace(tmp, target)
    return lines
