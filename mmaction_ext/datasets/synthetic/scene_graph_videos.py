"""A small, seeded synthetic dataset of scene-graph videos (ProDA demo).

Every video shows one person and a few objects moving along linear
trajectories in a 320x240 frame. Each action of :data:`SYNTHETIC_ACTIONS`
is an object class plus a temporal pattern of person -> object relations
(e.g. "taking a cup": ``not_contacting`` then ``holding``); a video holds 2-4
actions with their own intervals, on different objects, and 0-2 distractor
objects without actions. While the person holds an object, the object's box
sits at the person's hand. Node features are random but informative: a
fixed vector per object class plus a fixed vector per active relation, plus
noise, so both the graph and the features identify the actions.

The files are in the format of
:mod:`mmaction_ext.datasets.scene_graph_format` (same as the Action Genome
converter) plus one node feature file per video
(:mod:`mmaction_ext.datasets.node_feature_cache`), so
:class:`SceneGraphVideoDataset` and its transforms load them unchanged. The
same seed gives byte-identical files.
"""
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np

from ...fileio import atomic_dump
from ..node_feature_cache import feature_file, write_node_features

SYNTHETIC_OBJECTS = ('person', 'cup', 'book', 'phone', 'laptop', 'door',
                     'chair', 'blanket', 'box')
SYNTHETIC_RELATIONS = ('looking_at', 'not_looking_at', 'holding', 'touching',
                       'in_front_of', 'sitting_on', 'not_contacting')
# (name, object, phases): the interval is split into equal phases, each a
# tuple of relations the person has to the object.
SYNTHETIC_ACTIONS = (
    ('taking a cup', 'cup', (('not_contacting', ), ('holding', ))),
    ('putting a cup somewhere', 'cup', (('holding', ), ('not_contacting', ))),
    ('reading a book', 'book', (('holding', 'looking_at'), )),
    ('taking a book', 'book', (('not_contacting', ), ('holding', ))),
    ('playing with a phone', 'phone', (('holding', 'looking_at'), )),
    ('putting a phone somewhere', 'phone', (('holding', ),
                                            ('not_contacting', ))),
    ('watching a laptop', 'laptop', (('looking_at', 'in_front_of'), )),
    ('opening a door', 'door', (('touching', ), ('in_front_of', ))),
    ('closing a door', 'door', (('in_front_of', ), ('touching', ))),
    ('sitting on a chair', 'chair', (('sitting_on', ), )),
    ('standing up from a chair', 'chair', (('sitting_on', ),
                                           ('not_contacting', ))),
    ('snuggling with a blanket', 'blanket', (('touching', 'holding'), )),
)
SCENES = ('Kitchen', 'Bedroom', 'Living room', 'Bathroom')
IMG_SHAPE = (240, 320)  # H, W
FPS = 12.
DURATION = (8., 14.)  # seconds
KEYFRAMES = (10, 24)
ACTIONS_PER_VIDEO = (2, 4)
IDLE_RELATIONS = ('not_looking_at', 'not_contacting')
_OBJ = {name: i for i, name in enumerate(SYNTHETIC_OBJECTS)}
_REL = {name: i for i, name in enumerate(SYNTHETIC_RELATIONS)}


def _schedule(rng, duration: float) -> List[Tuple[int, float, float]]:
    """2-4 actions on distinct objects: (label, start, end) in seconds."""
    count = int(rng.integers(ACTIONS_PER_VIDEO[0], ACTIONS_PER_VIDEO[1] + 1))
    chosen, objects = [], set()
    for label in rng.permutation(len(SYNTHETIC_ACTIONS)):
        obj = SYNTHETIC_ACTIONS[label][1]
        if obj not in objects:
            chosen.append(int(label))
            objects.add(obj)
        if len(chosen) == count:
            break
    actions = []
    for label in chosen:
        length = rng.uniform(0.25, 0.5) * duration
        start = rng.uniform(0., duration - length)
        actions.append((label, round(start, 2), round(start + length, 2)))
    return actions


def _active_relations(actions, objects, times) -> np.ndarray:
    """bool (K, S, R): relations person -> slot at each keyframe time."""
    active = np.zeros((len(times), len(objects), len(SYNTHETIC_RELATIONS)),
                      bool)
    active[:, 1:, [_REL[r] for r in IDLE_RELATIONS]] = True
    for label, start, end in actions:
        _, obj, phases = SYNTHETIC_ACTIONS[label]
        slot = objects.index(_OBJ[obj])
        inside = (times >= start) & (times <= end)
        phase = np.minimum(
            ((times - start) / (end - start) * len(phases)).astype(int),
            len(phases) - 1)
        for k in np.nonzero(inside)[0]:
            active[k, slot] = False
            active[k, slot, [_REL[r] for r in phases[phase[k]]]] = True
    return active


def _boxes(rng, objects, times, active) -> np.ndarray:
    """float32 (K, S, 4) xyxy boxes on linear trajectories."""
    height, width = IMG_SHAPE
    frac = times / times[-1] if times[-1] > 0 else times
    start, end = rng.uniform(0.2, 0.8, (2, len(objects), 2))
    centres = start[None] + frac[:, None, None] * (end - start)[None]
    sizes = rng.uniform(0.12, 0.25, (len(objects), 2))
    sizes[0] = rng.uniform([0.25, 0.6], [0.35, 0.8])  # the person
    hand = centres[:, 0] + [0.1, 0.05]
    held = active[..., _REL['holding']]
    centres[held] = np.broadcast_to(hand[:, None], centres.shape)[held]
    half = sizes[None] / 2
    boxes = np.concatenate([centres - half, centres + half], -1)
    boxes = np.clip(boxes * [width, height, width, height], 0,
                    [width, height, width, height])
    return boxes.astype(np.float32)


def make_video(video_id: str, rng: np.random.Generator) -> Dict:
    """One video entry of the scene-graph format (without features)."""
    duration = round(rng.uniform(*DURATION), 1)
    num_frames = int(duration * FPS)
    actions = _schedule(rng, duration)
    used = {_OBJ[SYNTHETIC_ACTIONS[label][1]] for label, _, _ in actions}
    others = [c for c in range(1, len(SYNTHETIC_OBJECTS)) if c not in used]
    extra = rng.choice(others, int(rng.integers(0, 3)), replace=False)
    objects = [0] + sorted(used | {int(c) for c in extra})
    count = int(rng.integers(KEYFRAMES[0], KEYFRAMES[1] + 1))
    frame_inds = np.sort(rng.choice(num_frames, count, replace=False))
    times = frame_inds / FPS
    active = _active_relations(actions, objects, times)
    mask = rng.random((count, len(objects))) > 0.1
    mask[:, 0] = True
    mask[np.arange(count), rng.integers(1, len(objects), count)] = True
    active &= mask[..., None]
    rows = np.argwhere(active)  # (k, slot, relation)
    relations = np.stack(
        [rows[:, 0],
         np.zeros(len(rows), int), rows[:, 1], rows[:, 2]], 1)
    return dict(
        video_id=video_id,
        scene=str(rng.choice(SCENES)),
        label=sorted({label
                      for label, _, _ in actions}),
        action_intervals=sorted(actions, key=lambda a: a[1]),
        fps=FPS,
        num_frames=num_frames,
        img_shape=IMG_SHAPE,
        frame_inds=frame_inds.astype(np.int64),
        slot_classes=np.asarray(objects, np.int64),
        boxes=_boxes(rng, objects, times, active) * mask[..., None],
        box_mask=mask,
        relations=relations.astype(np.int64).reshape(-1, 4))


def node_features(video: Dict, embeddings: Dict[str, np.ndarray],
                  rng: np.random.Generator, noise: float) -> np.ndarray:
    """float32 (K, S, D): class + active relation vectors + noise.

    The person's node sums the vectors of all its relations, halved.
    """
    rel = np.zeros(video['box_mask'].shape + (len(SYNTHETIC_RELATIONS), ))
    rows = video['relations']
    rel[rows[:, 0], rows[:, 2], rows[:, 3]] = 1.
    rel[:, 0] = 0.5 * rel[:, 1:].sum(1)
    feats = embeddings['objects'][video['slot_classes']][None] + (
        rel @ embeddings['relations'])
    feats += noise * rng.standard_normal(feats.shape)
    return (feats * video['box_mask'][..., None]).astype(np.float32)


def make_split(split: str, num_videos: int, seed: int, feat_dim: int,
               noise: float) -> Tuple[List[Dict], List[np.ndarray]]:
    """Videos ``synth_<split>_<i>`` and their node features."""
    emb_rng = np.random.default_rng([seed, 0])
    embeddings = dict(
        objects=emb_rng.standard_normal((len(SYNTHETIC_OBJECTS), feat_dim)),
        relations=emb_rng.standard_normal(
            (len(SYNTHETIC_RELATIONS), feat_dim)))
    split_id = 1 if split == 'train' else 2
    videos, feats = [], []
    for index in range(num_videos):
        video = make_video(f'synth_{split}_{index:04d}',
                           np.random.default_rng([seed, split_id, index]))
        videos.append(video)
        feats.append(
            node_features(video, embeddings,
                          np.random.default_rng([seed, split_id + 2, index]),
                          noise))
    return videos, feats


def write_synthetic_scene_graphs(out_dir: str,
                                 num_train: int = 96,
                                 num_test: int = 48,
                                 feat_dim: int = 32,
                                 noise: float = 0.5,
                                 seed: int = 0) -> Dict[str, str]:
    """Write ``train.pkl``, ``test.pkl`` and ``features/<video_id>.pkl``.

    Args:
        out_dir (str): Output folder.
        num_train (int): Training videos. Defaults to 96.
        num_test (int): Test videos. Defaults to 48.
        feat_dim (int): Node feature size D. Defaults to 32.
        noise (float): Std of the feature noise. Defaults to 0.5.
        seed (int): Non-negative seed; same seed, same bytes.

    Returns:
        dict: ``{split: annotation path}``.
    """
    splits = dict(
        train=make_split('train', num_train, seed, feat_dim, noise),
        test=make_split('test', num_test, seed, feat_dim, noise))
    num_slots = max(
        len(v['slot_classes']) for videos, _ in splits.values()
        for v in videos)
    paths = {}
    for split, (videos, feats) in splits.items():
        for video, feat in zip(videos, feats):
            write_node_features(
                feature_file(osp.join(out_dir, 'features'),
                             video['video_id']), video['video_id'],
                video['frame_inds'], video['slot_classes'], feat)
        metainfo = dict(
            dataset='synthetic',
            split=split,
            classes=tuple(name for name, _, _ in SYNTHETIC_ACTIONS),
            object_classes=SYNTHETIC_OBJECTS,
            relation_classes=SYNTHETIC_RELATIONS,
            num_slots=num_slots)
        paths[split] = osp.join(out_dir, f'{split}.pkl')
        atomic_dump(dict(metainfo=metainfo, data_list=videos), paths[split])
    return paths
