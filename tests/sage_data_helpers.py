"""Tiny VidVRD-format videos, tracklets and feature files for the tests."""
import json
import os
import os.path as osp

import numpy as np

from mmaction_ext.datasets.vidvrd_features import save_video_features

WIDTH, HEIGHT = 64, 48


def box(x, y, w=10, h=10):
    return dict(xmin=x, ymin=y, xmax=x + w, ymax=y + h)


def annotation(video_id='v0',
               frames=40,
               objects=(('person', 0, 40), ('dog', 5, 40), ('car', 0, 12)),
               relations=(('person', 'dog', 'left', 5, 40), )):
    """A video whose object i moves right from x = 2 + 10 i, one pixel a
    frame, present on its [begin, end); relations name the categories."""
    tid_of = {cat: tid for tid, (cat, _, _) in enumerate(objects)}
    trajectories = [[] for _ in range(frames)]
    for tid, (_, begin, end) in enumerate(objects):
        for f in range(begin, end):
            trajectories[f].append(
                dict(tid=tid, bbox=box(min(2 + 10 * tid + f % 20, 50), 20)))
    return {
        'video_id':
        video_id,
        'frame_count':
        frames,
        'fps':
        25,
        'width':
        WIDTH,
        'height':
        HEIGHT,
        'subject/objects': [
            dict(tid=tid, category=cat)
            for tid, (cat, _, _) in enumerate(objects)
        ],
        'trajectories':
        trajectories,
        'relation_instances': [
            dict(
                subject_tid=tid_of[s],
                object_tid=tid_of[o],
                predicate=p,
                begin_fid=b,
                end_fid=e) for s, o, p, b, e in relations
        ]
    }


def write_annotations(folder, annos):
    os.makedirs(folder, exist_ok=True)
    for anno in annos:
        with open(osp.join(folder, f'{anno["video_id"]}.json'), 'w') as f:
            json.dump(anno, f)
    return str(folder)


def fake_features(path, frames, tracks, pairs, dims=8, seed=0):
    """A feature file: frame f of track t has feature value 1000 t + f
    (channel 0), union (s, o) 100000 + 1000 s + 10 o + f, frame f."""
    rng = np.random.default_rng(seed)
    frames = np.array(sorted(frames))
    object_rows = np.full((len(tracks), len(frames)), -1, np.int32)
    feats, unions = [], []
    for k, (tid, present) in enumerate(tracks.items()):
        for c, f in enumerate(frames):
            if f in present:
                object_rows[k, c] = len(feats)
                feats.append([1000 * tid + f] + [0] * (dims - 1))
    union_rows = np.full((len(pairs), len(frames)), -1, np.int32)
    for q, (s, o) in enumerate(pairs):
        for c, f in enumerate(frames):
            if f in tracks[s] and f in tracks[o]:
                union_rows[q, c] = len(unions)
                unions.append([100000 + 1000 * s + 10 * o + f] + [0] *
                              (dims - 1))
    frame_feats = np.zeros((len(frames), dims))
    frame_feats[:, 0] = frames
    frame_feats[:, 1:] = rng.normal(size=(len(frames), dims - 1))
    save_video_features(
        path,
        dict(test=True),
        dict(
            frame_ids=frames,
            frame_feats=frame_feats,
            object_tids=np.array(list(tracks), dtype=np.int64),
            object_rows=object_rows,
            object_feats=np.array(feats, dtype=np.float64).reshape(-1, dims),
            pair_tids=np.array(pairs, dtype=np.int64).reshape(-1, 2),
            union_rows=union_rows,
            union_feats=np.array(unions, dtype=np.float64).reshape(-1, dims)),
        dtype='float32')


def features_for_dataset(dataset, dims=8):
    """Write fake feature files covering every sample of ``dataset``."""
    from mmaction_ext.datasets.vidvrd_feature_extraction import video_plans
    for plan in video_plans(dataset.data_list):
        tracks = {tid: set(frames) for tid, frames in plan.objects.items()}
        os.makedirs(osp.dirname(plan.feature_file), exist_ok=True)
        fake_features(plan.feature_file, plan.frames, tracks, plan.pairs, dims)
