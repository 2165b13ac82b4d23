"""boxes_to_likelihood_maps against a pixel-by-pixel reference."""
import pytest
import torch
from ops_reference import BACKENDS, likelihood_maps_reference

from mmaction_ext.ops import boxes_to_likelihood_maps


def random_detections(gen, count, frames, classes, size):
    corners = torch.rand(count, 2, 2, generator=gen) * 1.6 * size - 0.3 * size
    boxes = torch.cat([corners.min(1).values, corners.max(1).values], 1)
    scores = torch.rand(count, generator=gen)
    labels = torch.randint(0, classes, (count, ), generator=gen)
    frame_ids = torch.randint(0, frames, (count, ), generator=gen)
    return boxes, scores, labels, frame_ids


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('border', [0.0, 2.5])
@pytest.mark.parametrize('dtype', [torch.float32, torch.float16])
def test_likelihood_maps_match_reference(backend, border, dtype):
    gen = torch.Generator().manual_seed(0)
    boxes, scores, labels, frame_ids = random_detections(gen, 25, 3, 4, 20)
    boxes[0] = torch.tensor([4.5, 4.5, 4.5, 9.5])  # zero width on centres
    boxes[1] = torch.tensor([30., 30., 40., 40.])  # wholly outside
    boxes, scores = boxes.to(dtype), scores.to(dtype)
    maps = boxes_to_likelihood_maps(
        boxes,
        scores,
        labels,
        frame_ids,
        3,
        4, (10, 12),
        spatial_scale=0.5,
        border=border,
        backend=backend)
    assert maps.shape == (3, 4, 10, 12) and maps.dtype == torch.float32
    expected = likelihood_maps_reference(boxes.float() * 0.5, scores.float(),
                                         labels, frame_ids, 3, 4, 10, 12,
                                         border)
    torch.testing.assert_close(maps.double(), expected, atol=1e-6, rtol=1e-5)
    assert maps.min() >= 0 and maps.max() <= 1


@pytest.mark.parametrize('backend', BACKENDS)
def test_likelihood_maps_no_boxes(backend):
    empty = torch.zeros(0, 4)
    maps = boxes_to_likelihood_maps(
        empty,
        torch.zeros(0),
        torch.zeros(0, dtype=torch.long),
        torch.zeros(0, dtype=torch.long),
        2,
        3,
        5,
        backend=backend)
    assert maps.shape == (2, 3, 5, 5) and not maps.any()


@pytest.mark.parametrize('change,message', [
    (dict(boxes=torch.zeros(3, 5)), '`boxes` must have last dimension 4'),
    (dict(scores=torch.full((3, ), 1.5)), r'`scores` must lie in \[0, 1\]'),
    (dict(scores=torch.zeros(2)), '`scores` must have one entry per box'),
    (dict(labels=torch.tensor([0, 4, 1])), r'`labels`.*entry 1 is 4'),
    (dict(frame_ids=torch.tensor([0, -1, 1])), r'`frame_ids`.*entry 1'),
    (dict(labels=torch.zeros(3)), '`labels` must be an integer'),
    (dict(num_frames=0), '`num_frames` must be a positive int'),
    (dict(border=-1), '`border` must be a number >= 0'),
    (dict(boxes=torch.tensor([[0., 0, 1, 1], [2, 0, 1, 1], [0, 0, 1, 1]])),
     r'x2 >= x1.*index \(1,\)'),
])
def test_likelihood_maps_bad_input(change, message):
    args = dict(
        boxes=torch.zeros(3, 4),
        scores=torch.ones(3),
        labels=torch.tensor([0, 1, 2]),
        frame_ids=torch.tensor([0, 1, 1]),
        num_frames=2,
        num_classes=3,
        map_size=4)
    args.update(change)
    with pytest.raises(ValueError, match=message):
        boxes_to_likelihood_maps(**args)


def test_likelihood_maps_fallback_chunks(monkeypatch):
    from mmaction_ext.ops.fallback import likelihood_maps
    monkeypatch.setattr(likelihood_maps, 'CHUNK_ELEMENTS', 40)
    gen = torch.Generator().manual_seed(1)
    boxes, scores, labels, frame_ids = random_detections(gen, 30, 2, 3, 12)
    maps = boxes_to_likelihood_maps(boxes, scores, labels, frame_ids, 2, 3,
                                    (12, 9), border=1.5, backend='pytorch')
    expected = likelihood_maps_reference(boxes, scores, labels, frame_ids, 2,
                                         3, 12, 9, 1.5)
    torch.testing.assert_close(maps.double(), expected, atol=1e-6, rtol=1e-5)
