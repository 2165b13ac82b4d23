"""roi_align / RoIAlign / RoIExtractor3D against mmcv's definition."""
import pytest
import torch
from ops_reference import BACKENDS, roi_align_reference

from mmaction_ext.ops import RoIAlign, RoIExtractor3D, roi_align


def random_rois(generator, count, batch, size, outside=False):
    """(count, 5) RoIs, optionally reaching outside a size x size image."""
    low, high = (-0.5 * size, 1.5 * size) if outside else (0, size)
    corners = torch.rand(count, 2, 2, generator=generator) * (high - low) + low
    boxes = torch.cat([corners.min(1).values, corners.max(1).values], 1)
    index = torch.randint(0, batch, (count, 1), generator=generator)
    return torch.cat([index.float(), boxes], 1)


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('pool_mode', ['avg', 'max'])
@pytest.mark.parametrize('sampling_ratio,aligned', [(2, True), (0, True),
                                                    (0, False), (1, False)])
def test_roi_align_matches_reference(backend, pool_mode, sampling_ratio,
                                     aligned):
    gen = torch.Generator().manual_seed(0)
    feat = torch.randn(3, 4, 9, 11, generator=gen)
    rois = random_rois(gen, 12, 3, 16, outside=True)
    rois[0, 1:] = torch.tensor([3.0, 4.0, 3.0, 4.0])  # zero-size box
    rois[1, 1:] = torch.tensor([40.0, 40.0, 50.0, 60.0])  # wholly outside
    rois[2, 1:] = torch.tensor([-30.0, -20.0, -25.0, -10.0])
    args = ((3, 2), 0.5, sampling_ratio, pool_mode, aligned)
    out = roi_align(feat, rois, *args, backend=backend)
    expected = roi_align_reference(feat, rois, *args)
    assert out.shape == (12, 4, 3, 2) and out.dtype == torch.float32
    torch.testing.assert_close(out.double(), expected, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('backend', BACKENDS)
def test_roi_align_noncontiguous_batch_and_zero_rois(backend):
    gen = torch.Generator().manual_seed(1)
    feat = torch.randn(5, 3, 8, 8, generator=gen)
    rois = random_rois(gen, 7, 5, 8)
    rois[:, 0] = torch.tensor([4., 0., 4., 2., 0., 4., 2.])
    out = roi_align(feat, rois, 2, 1.0, 2, backend=backend)
    expected = roi_align_reference(feat, rois, (2, 2), 1.0, 2, 'avg', True)
    torch.testing.assert_close(out.double(), expected, atol=1e-5, rtol=1e-4)
    empty = roi_align(feat, rois[:0], 2, backend=backend)
    assert empty.shape == (0, 3, 2, 2)
    feat.requires_grad_(True)
    roi_align(feat, rois[:0], 2, backend=backend).sum().backward()
    assert torch.equal(feat.grad, torch.zeros_like(feat))


@pytest.mark.parametrize('backend', BACKENDS)
def test_roi_align_float16(backend):
    gen = torch.Generator().manual_seed(2)
    feat = torch.randn(2, 3, 8, 8, generator=gen)
    rois = random_rois(gen, 5, 2, 8)
    out = roi_align(feat.half(), rois.half(), 3, backend=backend)
    assert out.dtype == torch.float16
    expected = roi_align_reference(feat.half().float(),
                                   rois.half().float(), (3, 3), 1.0, 0, 'avg',
                                   True)
    torch.testing.assert_close(out.double(), expected, atol=2e-3, rtol=2e-3)


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('pool_mode', ['avg', 'max'])
def test_roi_align_gradcheck(backend, pool_mode):
    gen = torch.Generator().manual_seed(3)
    feat = torch.randn(2, 2, 6, 5, generator=gen, dtype=torch.float64)
    rois = torch.tensor([[0, 0.3, 0.7, 3.9, 4.6], [1, 1.2, 0.1, 4.4, 2.8],
                         [1, 2.1, 2.2, 2.9, 5.3]],
                        dtype=torch.float64)
    feat.requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda f: roi_align(
            f, rois, (2, 3), 1.0, 2, pool_mode, True, backend=backend),
        (feat, ))


def test_roi_align_module_and_registry():
    from mmaction.registry import MODELS
    layer = MODELS.build(
        dict(
            type='RoIAlign',
            output_size=2,
            spatial_scale=0.5,
            sampling_ratio=2,
            backend='pytorch'))
    assert isinstance(layer, RoIAlign)
    gen = torch.Generator().manual_seed(4)
    feat = torch.randn(2, 3, 6, 6, generator=gen)
    rois = random_rois(gen, 4, 2, 12)
    torch.testing.assert_close(
        layer(feat, rois), roi_align(feat, rois, 2, 0.5, 2, 'avg', True))
    with pytest.raises(ValueError, match='use_torchvision'):
        RoIAlign(2, use_torchvision=True)


@pytest.mark.parametrize('with_temporal_pool', [True, False])
@pytest.mark.parametrize('with_global', [True, False])
def test_roi_extractor_3d_matches_per_frame_loop(with_temporal_pool,
                                                 with_global):
    gen = torch.Generator().manual_seed(5)
    feat = torch.randn(2, 3, 4, 5, 6, generator=gen)
    rois = random_rois(gen, 5, 2, 16 * 5)
    extractor = RoIExtractor3D(
        featmap_stride=16,
        output_size=3,
        with_temporal_pool=with_temporal_pool,
        with_global=with_global)
    roi_feats, merged = extractor(feat, rois)
    # MMAction2's SingleRoIExtractor3D: RoIAlign frame by frame.
    clip = feat.mean(2, keepdim=True) if with_temporal_pool else feat
    frames = []
    for t in range(clip.shape[2]):
        frame = roi_align(clip[:, :, t], rois, 3, 1 / 16, 0, 'avg', True)
        if with_global:
            pooled = torch.nn.functional.adaptive_avg_pool2d(clip[:, :, t],
                                                             3)[rois[:,
                                                                     0].long()]
            frame = torch.cat([frame, pooled], 1)
        frames.append(frame)
    torch.testing.assert_close(roi_feats, torch.stack(frames, 2))
    torch.testing.assert_close(merged, clip)


def test_roi_extractor_3d_config_forms():
    from mmaction.registry import MODELS
    from mmdet.registry import MODELS as MMDET_MODELS

    # Registered where AVARoIHead builds its children (building through
    # mmdet's registry imports mmdet.models, which needs full mmcv).
    assert MMDET_MODELS.module_dict['RoIExtractor3D'] is RoIExtractor3D
    mmdet_style = MODELS.build(
        dict(
            type='RoIExtractor3D',
            featmap_stride=8,
            roi_layer=dict(type='RoIAlign', output_size=4, sampling_ratio=2)))
    assert mmdet_style.roi_layer.output_size == (4, 4)
    assert mmdet_style.roi_layer.sampling_ratio == 2
    assert mmdet_style.roi_layer.spatial_scale == 1 / 8
    with pytest.raises(ValueError, match='only RoIAlign'):
        RoIExtractor3D(roi_layer_type='RoIPool')


@pytest.mark.parametrize('call,message', [
    (lambda f, r: roi_align(f[0], r, 2), '`input` must have 4 dimensions'),
    (lambda f, r: roi_align(f, r[:, :4], 2), '`rois` must have last dim'),
    (lambda f, r: roi_align(f, r.double(), 2), 'share one dtype'),
    (lambda f, r: roi_align(f, r, 0), '`output_size`'),
    (lambda f, r: roi_align(f, r, 2, sampling_ratio=-1), '`sampling_ratio`'),
    (lambda f, r: roi_align(f, r, 2, pool_mode='sum'), '`pool_mode`'),
    (lambda f, r: roi_align(f, r, 2, backend='cudnn'), 'unknown backend'),
])
def test_roi_align_bad_input(call, message):
    feat = torch.zeros(2, 1, 4, 4)
    rois = torch.tensor([[0, 0, 0, 2, 2.]])
    with pytest.raises(ValueError, match=message):
        call(feat, rois)


def test_roi_align_bad_boxes_and_indices():
    feat = torch.zeros(2, 1, 4, 4)
    with pytest.raises(ValueError, match=r'x2 >= x1.*index \(1,\)'):
        roi_align(feat, torch.tensor([[0, 0, 0, 2, 2.], [1, 3, 0, 2, 2]]), 2)
    with pytest.raises(ValueError, match=r'rois\[:, 0\].*row 1 has 2'):
        roi_align(feat, torch.tensor([[0, 0, 0, 2, 2.], [2, 0, 0, 2, 2]]), 2)
    with pytest.raises(ValueError, match='row 0 has 0.5'):
        roi_align(feat, torch.tensor([[0.5, 0, 0, 2, 2.]]), 2)
    with pytest.raises(ValueError, match='NaN'):
        roi_align(feat, torch.tensor([[0, 0, 0, float('nan'), 2.]]), 2)
