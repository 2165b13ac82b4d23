"""CUDA kernels against the PyTorch fallback on the same CUDA tensors.

Runs wherever a CUDA device is present and the extension was built with its
CUDA kernels; elsewhere every test is skipped with the reason.
"""
import pytest
import torch

from mmaction_ext.ops import (boxes_to_likelihood_maps, roi_align,
                              trajectory_roi_align, trajectory_viou)
from mmaction_ext.ops.backends import load_ext


def _skip_reason():
    if not torch.cuda.is_available():
        return 'no CUDA device (torch.cuda.is_available() is False)'
    ext = load_ext()
    if ext is None or not ext.has_cuda():
        return ('compiled ops without CUDA kernels; build them on this '
                'machine with MMACTION_EXT_WITH_OPS=1 pip install -e . '
                '--no-build-isolation')
    return None


pytestmark = pytest.mark.skipif(
    _skip_reason() is not None, reason=str(_skip_reason()))


def both(fn, *args, **kwargs):
    return (fn(*args, backend='compiled', **kwargs),
            fn(*args, backend='pytorch', **kwargs))


def random_rois(gen, count, batch, size):
    corners = torch.rand(count, 2, 2, generator=gen) * 1.4 * size - 0.2 * size
    boxes = torch.cat([corners.min(1).values, corners.max(1).values], 1)
    index = torch.randint(0, batch, (count, 1), generator=gen)
    return torch.cat([index.float(), boxes], 1).cuda()


@pytest.mark.parametrize('pool_mode', ['avg', 'max'])
@pytest.mark.parametrize('sampling_ratio', [0, 2])
@pytest.mark.parametrize('dtype', [torch.float32, torch.float64,
                                   torch.float16])
def test_roi_align_cuda_forward_backward(pool_mode, sampling_ratio, dtype):
    gen = torch.Generator().manual_seed(0)
    feat = torch.randn(3, 16, 14, 14, generator=gen).cuda().to(dtype)
    rois = random_rois(gen, 40, 3, 224).to(dtype)
    rois[0, 1:] = torch.tensor([50., 60., 50., 60.])  # zero-size box
    outs, grads = [], []
    for backend in ('compiled', 'pytorch'):
        x = feat.clone().requires_grad_(True)
        out = roi_align(x, rois, 7, 1 / 16, sampling_ratio, pool_mode,
                        True, backend=backend)
        out.float().square().sum().backward()
        outs.append(out.float())
        grads.append(x.grad.float())
    tol = dict(atol=2e-2, rtol=2e-2) if dtype == torch.float16 else {}
    torch.testing.assert_close(outs[0], outs[1], **tol)
    torch.testing.assert_close(grads[0], grads[1], **tol)
    cpu = roi_align(feat.float().cpu(), rois.float().cpu(), 7, 1 / 16,
                    sampling_ratio, pool_mode, True, backend='pytorch')
    torch.testing.assert_close(outs[0].cpu(), cpu, **tol)


def test_roi_align_cuda_gradcheck():
    gen = torch.Generator().manual_seed(1)
    feat = torch.randn(2, 2, 6, 5, generator=gen, dtype=torch.float64)
    feat = feat.cuda().requires_grad_(True)
    rois = torch.tensor([[0, 0.3, 0.7, 3.9, 4.6], [1, 1.2, 0.1, 4.4, 2.8]],
                        dtype=torch.float64).cuda()
    assert torch.autograd.gradcheck(
        lambda f: roi_align(f, rois, 2, 1.0, 2, backend='compiled'),
        (feat, ))


def test_trajectory_roi_align_cuda():
    gen = torch.Generator().manual_seed(2)
    feats = torch.randn(8, 16, 14, 14, generator=gen).cuda()
    corners = torch.rand(6, 8, 2, 2, generator=gen) * 224
    boxes = torch.cat([corners.min(2).values, corners.max(2).values],
                      -1).cuda()
    valid = (torch.rand(6, 8, generator=gen) > 0.3).cuda()
    for reduce in ('mean', 'max', 'none'):
        compiled, fallback = both(trajectory_roi_align, feats, boxes, valid,
                                  7, 1 / 16, 2, reduce=reduce)
        torch.testing.assert_close(compiled, fallback)


@pytest.mark.parametrize('border', [0.0, 3.0])
def test_likelihood_maps_cuda(border):
    gen = torch.Generator().manual_seed(3)
    count = 500
    corners = torch.rand(count, 2, 2, generator=gen) * 300 - 20
    boxes = torch.cat([corners.min(1).values, corners.max(1).values],
                      1).cuda()
    scores = torch.rand(count, generator=gen).cuda()
    labels = torch.randint(0, 5, (count, ), generator=gen).cuda()
    frames = torch.randint(0, 4, (count, ), generator=gen).cuda()
    compiled, fallback = both(boxes_to_likelihood_maps, boxes, scores, labels,
                              frames, 4, 5, 64, spatial_scale=0.25,
                              border=border)
    torch.testing.assert_close(compiled, fallback)


def test_trajectory_viou_cuda():
    gen = torch.Generator().manual_seed(4)
    starts = torch.randint(0, 60, (70, ), generator=gen)
    ends = torch.minimum(starts + torch.randint(0, 40, (70, ), generator=gen),
                         torch.tensor(60))
    corners = (torch.rand(70, 40, 2, 2, generator=gen) * 100).round()
    boxes = torch.cat([corners.min(2).values, corners.max(2).values], -1)
    spans = torch.stack([starts, ends], 1)
    compiled, fallback = both(trajectory_viou, boxes.cuda(), spans.cuda())
    torch.testing.assert_close(compiled[0], fallback[0])
    cpu = trajectory_viou(boxes, spans, backend='pytorch')[0]
    torch.testing.assert_close(compiled[0].cpu(), cpu)
