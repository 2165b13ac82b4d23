"""Greedy relation association against a plain port of the protocol text.

The reference keeps trajectories as per-frame box lists and computes the
cubic intersection, the join and the greedy linking with loops, as the
VidVRD-II / RePro association describes them; it shares no code with the
implementation.
"""
import random

import numpy as np
import pytest

from mmaction_ext.evaluation.functional import (cubic_intersection,
                                                greedy_relation_association)
from mmaction_ext.evaluation.functional.vidvrd_association import _Track

# ----------------------------------------------------------- reference --


def ref_box_overlap(a, b):
    w = max(0., min(a[2], b[2]) - max(a[0], b[0]) + 1)
    h = max(0., min(a[3], b[3]) - max(a[1], b[1]) + 1)
    return w * h


def ref_area(a):
    return (a[2] - a[0] + 1) * (a[3] - a[1] + 1)


def ref_cubic(t1, t2, tolerance=30):
    """t = (begin, [boxes]); vIoU on the overlap or facing end boxes."""
    (b1, x1), (b2, x2) = t1, t2
    e1, e2 = b1 + len(x1), b2 + len(x2)
    start, stop = max(b1, b2), min(e1, e2)
    if start < stop:
        pairs = [(x1[f - b1], x2[f - b2]) for f in range(start, stop)]
    elif start - stop < tolerance:
        pairs = [(x1[-1], x2[0])] if e1 <= b2 else [(x1[0], x2[-1])]
    else:
        return 0.
    inter = sum(ref_box_overlap(a, b) for a, b in pairs)
    union = sum(ref_area(a) + ref_area(b) for a, b in pairs) - inter
    return inter / max(union, 1e-8)


def ref_join(t1, t2):
    (b1, x1), (b2, x2) = t1, t2
    e1, e2 = b1 + len(x1), b2 + len(x2)
    boxes = []
    for f in range(min(b1, b2), max(e1, e2)):
        in1, in2 = b1 <= f < e1, b2 <= f < e2
        if in1 and in2:
            boxes.append([(u + v) / 2 for u, v in zip(x1[f - b1], x2[f - b2])])
        elif in1:
            boxes.append(list(x1[f - b1]))
        elif in2:
            boxes.append(list(x2[f - b2]))
        else:
            (lb, lx), (rb, rx) = (t1, t2) if e1 < b2 else (t2, t1)
            left, right = lb + len(lx) - 1, rb
            boxes.append([
                u + (v - u) * (f - left) / (right - left)
                for u, v in zip(lx[-1], rx[0])
            ])
    return min(b1, b2), boxes


def ref_associate(segments, topk=200, thr=0.5, out_topk=200):
    video, last = [], []
    for key in sorted(segments, key=lambda s: s[0]):
        last.sort(key=lambda r: sum(r['scores']), reverse=True)
        rels = sorted(segments[key], key=lambda r: r['score'], reverse=True)
        current = []
        for r in rels[:topk]:
            new = dict(
                triplet=tuple(r['triplet']),
                scores=[r['score']],
                sub=(r['duration'][0], [list(b) for b in r['sub_traj']]),
                obj=(r['duration'][0], [list(b) for b in r['obj_traj']]))
            for old in last:
                if old['triplet'] == new['triplet'] and \
                        ref_cubic(old['sub'], new['sub']) > thr and \
                        ref_cubic(old['obj'], new['obj']) > thr:
                    old['sub'] = ref_join(old['sub'], new['sub'])
                    old['obj'] = ref_join(old['obj'], new['obj'])
                    old['scores'].append(new['scores'][0])
                    current.append(old)
                    last.remove(old)
                    break
            else:
                video.append(new)
                current.append(new)
        last = current
    out = []
    for rel in video:
        (sb, sx), (ob, ox) = rel['sub'], rel['obj']
        begin, end = max(sb, ob), min(sb + len(sx), ob + len(ox))
        if end - begin > 1:
            out.append(
                dict(
                    triplet=rel['triplet'],
                    score=sum(rel['scores']),
                    segments=len(rel['scores']),
                    duration=(begin, end),
                    sub_traj=sx[begin - sb:end - sb],
                    obj_traj=ox[begin - ob:end - ob]))
    out.sort(key=lambda r: r['score'], reverse=True)
    return out[:out_topk]


# ------------------------------------------------------ random cases --


def path_boxes(rng, path, begin, end):
    """Boxes of a moving object ``path`` on [begin, end), jittered."""
    x0, y0, vx, vy, w, h = path
    jitter = rng.choice([0., 1., 4.])
    boxes = []
    for f in range(begin, end):
        x = x0 + vx * f + rng.uniform(-jitter, jitter)
        y = y0 + vy * f + rng.uniform(-jitter, jitter)
        boxes.append([x, y, x + w, y + h])
    return boxes


def random_segments(seed):
    rng = random.Random(seed)
    paths = [(rng.uniform(0, 50), rng.uniform(0, 50), rng.uniform(-1, 1),
              rng.uniform(-1, 1), rng.uniform(5, 30), rng.uniform(5, 30))
             for _ in range(4)]
    triplets = [('a', 'p', 'b'), ('a', 'q', 'b'), ('b', 'p', 'a')]
    # a few recurring relations so that segments link
    recurring = [(rng.choice(triplets), *rng.sample(range(4), 2))
                 for _ in range(2)]
    segments = {}
    starts = list(range(0, rng.choice([30, 60, 105]), 15))
    if rng.random() < 0.3:  # a gap between segments: facing boxes link
        starts = [s + (20 if s >= 30 else 0) for s in starts]
    rng.shuffle(starts)  # the association sorts them
    for start in starts:
        rels = []
        for _ in range(rng.randint(0, 8)):
            triplet, s, o = rng.choice(recurring) if rng.random() < 0.7 \
                else (rng.choice(triplets), *rng.sample(range(4), 2))
            begin = start + rng.randint(0, 10)
            end = min(start + 30, begin + rng.randint(1, 30))
            score = rng.choice([0.5, 0.25, rng.random()])
            rels.append(
                dict(
                    triplet=triplet,
                    score=score,
                    duration=(begin, end),
                    sub_traj=path_boxes(rng, paths[s], begin, end),
                    obj_traj=path_boxes(rng, paths[o], begin, end)))
        segments[(start, start + 30)] = rels
    return segments


def arrays(segments):
    return {
        key: [
            dict(
                r,
                sub_traj=np.array(r['sub_traj']),
                obj_traj=np.array(r['obj_traj'])) for r in rels
        ]
        for key, rels in segments.items()
    }


@pytest.mark.parametrize('seed', range(30))
def test_association_matches_reference(seed):
    segments = random_segments(seed)
    topk = [200, 3][seed % 2]
    expected = ref_associate(segments, topk=topk, out_topk=12)
    got = greedy_relation_association(
        arrays(segments), inference_topk=topk, association_topk=12)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g['triplet'] == e['triplet']
        assert g['duration'] == e['duration']
        assert g['score'] == pytest.approx(e['score'], abs=1e-9)
        np.testing.assert_allclose(g['sub_traj'], e['sub_traj'], atol=1e-9)
        np.testing.assert_allclose(g['obj_traj'], e['obj_traj'], atol=1e-9)


def test_random_cases_link_segments():
    """The random cases link segments, across gaps too."""
    linked = [
        r['segments'] for seed in range(30)
        for r in ref_associate(random_segments(seed))
    ]
    assert sum(n > 1 for n in linked) > 10 and max(linked) > 3


@pytest.mark.parametrize('seed', range(10))
def test_cubic_intersection_matches_reference(seed):
    rng = random.Random(seed)

    def track():
        begin = rng.randint(0, 60)
        length = rng.randint(1, 20)
        x, y = rng.uniform(0, 20), rng.uniform(0, 20)
        return begin, [[
            x + k, y, x + k + rng.uniform(3, 20), y + rng.uniform(3, 20)
        ] for k in range(length)]

    ones, twos = [track() for _ in range(5)], [track() for _ in range(6)]
    got = cubic_intersection([_Track(b, np.array(x)) for b, x in ones],
                             [_Track(b, np.array(x)) for b, x in twos])
    expected = [[ref_cubic(a, b) for b in twos] for a in ones]
    np.testing.assert_allclose(got, expected, atol=1e-9)


# -------------------------------------------------------- hand cases --


def test_two_segments_link_into_one_relation():
    box = [[0., 0., 9., 9.]]
    far = [[50., 50., 59., 59.]]
    first = dict(
        triplet=('a', 'p', 'b'),
        score=0.5,
        duration=(0, 30),
        sub_traj=np.array(box * 30),
        obj_traj=np.array(far * 30))
    # overlaps frames 15-29, subject 1 px off: 81 / 119 > 0.5
    second = dict(
        first, score=0.25, duration=(15, 45), sub_traj=np.array(box * 30) + 1)
    [rel] = greedy_relation_association({(0, 30): [first], (15, 45): [second]})
    assert rel['score'] == 0.75 and rel['duration'] == (0, 45)
    # overlap: mean of the two boxes; after it: the second's boxes
    np.testing.assert_array_equal(rel['sub_traj'][20], [.5, .5, 9.5, 9.5])
    np.testing.assert_array_equal(rel['sub_traj'][40], [1., 1., 10., 10.])
    # other triplet or 1-frame span: no link / dropped
    other = dict(second, triplet=('a', 'q', 'b'))
    short = dict(
        first, duration=(0, 1), sub_traj=np.array(box), obj_traj=np.array(far))
    out = greedy_relation_association({
        (0, 30): [first, short],
        (15, 45): [other]
    })
    assert [r['triplet'] for r in out] == [('a', 'p', 'b'), ('a', 'q', 'b')]


def test_gap_is_bridged_by_facing_boxes_and_interpolated():
    box = np.array([[0., 0., 9., 9.]])
    first = dict(
        triplet=('a', 'p', 'b'),
        score=1.,
        duration=(0, 10),
        sub_traj=np.repeat(box, 10, 0),
        obj_traj=np.repeat(box, 10, 0))
    # 10 frames later, moved by 10 px: facing boxes IoU 0 -> no link
    second = dict(first, duration=(20, 30), sub_traj=first['sub_traj'] + 10)
    assert len(
        greedy_relation_association({
            (0, 30): [first],
            (15, 45): [second]
        })) == 2
    # moved by 2 px: IoU 64 / 136 < 0.5 still; by 1 px: 81 / 119 > 0.5
    second['sub_traj'] = first['sub_traj'] + 1
    [rel] = greedy_relation_association({(0, 30): [first], (15, 45): [second]})
    assert rel['duration'] == (0, 30)
    # frame 9 (box 0) to frame 20 (box 1): frame 15 is 6/11 of the way
    np.testing.assert_allclose(rel['sub_traj'][15, 0], 6 / 11)
