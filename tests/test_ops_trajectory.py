"""trajectory_roi_align and trajectory_viou against plain references."""
import pytest
import torch
from ops_reference import BACKENDS, roi_align_reference, viou_reference

from mmaction_ext.ops import trajectory_roi_align, trajectory_viou


def random_boxes(gen, shape, size):
    corners = torch.rand(*shape, 2, 2, generator=gen) * size
    return torch.cat([corners.min(-2).values, corners.max(-2).values], -1)


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('reduce', ['mean', 'max', 'none'])
def test_trajectory_roi_align_matches_reference(backend, reduce):
    gen = torch.Generator().manual_seed(0)
    feats = torch.randn(4, 3, 7, 8, generator=gen)
    boxes = random_boxes(gen, (5, 4), 16)
    valid = torch.rand(5, 4, generator=gen) > 0.3
    valid[3] = False  # a trajectory that never appears
    valid[4] = True
    boxes[~valid] = float('nan')  # ignored where invalid
    out = trajectory_roi_align(
        feats,
        boxes,
        valid, (2, 3),
        0.5,
        2,
        'avg',
        True,
        reduce,
        backend=backend)
    expected = torch.zeros(5, 4, 3, 2, 3, dtype=torch.float64)
    for n in range(5):
        for t in range(4):
            if valid[n, t]:
                roi = torch.cat([torch.tensor([float(t)]), boxes[n, t]])[None]
                expected[n, t] = roi_align_reference(feats, roi, (2, 3), 0.5,
                                                     2, 'avg', True)[0]
    if reduce == 'mean':
        counts = valid.sum(1).clamp(min=1)
        expected = expected.sum(1) / counts[:, None, None, None]
    elif reduce == 'max':
        expected = torch.stack([
            expected[n][valid[n]].max(0).values
            if valid[n].any() else expected[n, 0] for n in range(5)
        ])
    torch.testing.assert_close(out.double(), expected, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('backend', BACKENDS)
def test_trajectory_roi_align_gradcheck(backend):
    gen = torch.Generator().manual_seed(1)
    feats = torch.randn(3, 2, 5, 5, generator=gen, dtype=torch.float64)
    boxes = random_boxes(gen, (2, 3), 5).double()
    valid = torch.tensor([[True, False, True], [True, True, True]])
    feats.requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda f: trajectory_roi_align(
            f, boxes, valid, 2, sampling_ratio=2, backend=backend), (feats, ))


def test_trajectory_roi_align_bad_input():
    feats = torch.zeros(3, 1, 4, 4)
    boxes = torch.zeros(2, 3, 4)
    valid = torch.ones(2, 3, dtype=torch.bool)
    with pytest.raises(ValueError, match='one box per frame'):
        trajectory_roi_align(feats, boxes[:, :2], valid[:, :2], 2)
    with pytest.raises(ValueError, match='`valid` must have shape'):
        trajectory_roi_align(feats, boxes, valid[:1], 2)
    with pytest.raises(ValueError, match='`valid` must be an integer or bool'):
        trajectory_roi_align(feats, boxes, valid.float(), 2)
    with pytest.raises(ValueError, match='`reduce`'):
        trajectory_roi_align(feats, boxes, valid, 2, reduce='sum')
    bad = boxes.clone()
    bad[1, 2] = torch.tensor([2., 0., 1., 1.])
    with pytest.raises(ValueError, match=r'x2 >= x1.*index \(1, 2\)'):
        trajectory_roi_align(feats, bad, valid, 2)
    valid[1, 2] = False  # the same box in an invalid frame is ignored
    assert trajectory_roi_align(feats, bad, valid, 2).shape == (2, 1, 2, 2)


def random_trajectories(gen, count, frames, max_len, size=50.0):
    starts = torch.randint(0, frames, (count, ), generator=gen)
    lengths = torch.randint(0, max_len + 1, (count, ), generator=gen)
    ends = torch.minimum(starts + lengths, torch.tensor(frames))
    # integer pixel boxes with ties and zero-width boxes, as annotations
    boxes = random_boxes(gen, (count, max_len), size).round()
    return boxes, torch.stack([starts, ends], 1)


def viou_matrix_reference(boxes1, spans1, boxes2, spans2):
    out = torch.zeros(len(spans1), len(spans2), dtype=torch.float64)
    for i, (b1, s1) in enumerate(zip(boxes1.tolist(), spans1.tolist())):
        for j, (b2, s2) in enumerate(zip(boxes2.tolist(), spans2.tolist())):
            out[i, j] = viou_reference(b1[:s1[1] - s1[0]], s1,
                                       b2[:s2[1] - s2[0]], s2)
    return out


@pytest.mark.parametrize('backend', BACKENDS)
def test_trajectory_viou_matches_vidvrd_definition(backend):
    gen = torch.Generator().manual_seed(2)
    boxes1, spans1 = random_trajectories(gen, 9, 20, 8)
    boxes2, spans2 = random_trajectories(gen, 7, 20, 10)
    boxes2[0, :3] = boxes1[0, :3]
    spans2[0] = torch.tensor([spans1[0, 0], spans1[0, 0] + 3])
    spans1[1] = torch.tensor([0, 4])
    spans2[1] = torch.tensor([4, 9])  # touching spans are disjoint
    boxes1[2, :] = -30.0  # partly / wholly outside the image
    viou, tiou = trajectory_viou(
        boxes1, spans1, boxes2, spans2, backend=backend)
    expected = viou_matrix_reference(boxes1, spans1, boxes2, spans2)
    assert viou.dtype == torch.float32 and viou.shape == (9, 7)
    torch.testing.assert_close(viou.double(), expected, atol=1e-6, rtol=1e-6)
    assert viou[1, 1] == 0 and tiou[1, 1] == 0
    for i, (b1, e1) in enumerate(spans1.tolist()):
        for j, (b2, e2) in enumerate(spans2.tolist()):
            inter = max(0, min(e1, e2) - max(b1, b2))
            union = (e1 - b1) + (e2 - b2) - inter
            assert tiou[i, j].item() == pytest.approx(inter /
                                                      union if union else 0.0)


@pytest.mark.parametrize('backend', BACKENDS)
def test_trajectory_viou_self_and_edge_cases(backend):
    gen = torch.Generator().manual_seed(3)
    boxes, spans = random_trajectories(gen, 6, 12, 6)
    spans[0] = torch.tensor([3, 3])  # empty span
    viou, _ = trajectory_viou(boxes.double(), spans, backend=backend)
    assert viou.dtype == torch.float64
    torch.testing.assert_close(
        viou, viou_matrix_reference(boxes, spans, boxes, spans))
    nonempty = (spans[:, 1] > spans[:, 0]).nonzero()[:, 0]
    assert torch.all(viou.diagonal()[nonempty] == 1)
    none, tiou = trajectory_viou(
        boxes[:0], spans[:0], boxes, spans, backend=backend)
    assert none.shape == tiou.shape == (0, 6)


def test_trajectory_viou_bad_input():
    boxes = torch.zeros(2, 3, 4)
    spans = torch.tensor([[0, 3], [1, 2]])
    with pytest.raises(ValueError, match='`spans1` rows are'):
        trajectory_viou(boxes, torch.tensor([[0, 4], [1, 2]]))
    with pytest.raises(ValueError, match=r'row 1 is \[2, 1\]'):
        trajectory_viou(boxes, torch.tensor([[0, 3], [2, 1]]))
    with pytest.raises(ValueError, match='`spans1` must be an integer'):
        trajectory_viou(boxes, spans.float())
    with pytest.raises(ValueError, match='one row per trajectory'):
        trajectory_viou(boxes, spans[:1])
    with pytest.raises(ValueError, match='both `boxes2` and `spans2`'):
        trajectory_viou(boxes, spans, boxes)
    with pytest.raises(ValueError, match='`boxes2` must have 3 dimensions'):
        trajectory_viou(boxes, spans, boxes[0], spans)
    bad = boxes.clone()
    bad[1, 0, 3] = -1  # frame 1 of trajectory 1 (its span is [1, 2))
    with pytest.raises(ValueError, match=r'index \(1, 0\)'):
        trajectory_viou(bad, spans)
    bad[1, 0, 3], bad[1, 2, 3] = 0, -1  # past the span: ignored
    assert trajectory_viou(bad, spans)[0].shape == (2, 2)
