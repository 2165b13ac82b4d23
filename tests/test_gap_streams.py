"""Official GAP streams and temporal sampling against loop implementations."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmaction.structures import ActionDataSample
from mmaction_ext.datasets.transforms import (KHopDifference, RandomRotation3D,
                                              ValidCropResize)
from mmaction_ext.models.data_preprocessors import SkeletonStreamPreprocessor

# InfoGCN's NTU tree as (parent, child), 1-based: parent of each joint.
NTU_PARENT = {
    1: 2,
    21: 2,
    3: 21,
    4: 3,
    5: 21,
    6: 5,
    7: 6,
    8: 7,
    23: 8,
    22: 23,
    9: 21,
    10: 9,
    11: 10,
    12: 11,
    25: 12,
    24: 25,
    13: 1,
    14: 13,
    15: 14,
    16: 15,
    17: 1,
    18: 17,
    19: 18,
    20: 19
}


def ancestor(joint, k):
    """0-based k-th ancestor, None if the chain ends first."""
    node = joint + 1
    for _ in range(k):
        if node not in NTU_PARENT:
            return None
        node = NTU_PARENT[node]
    return node - 1


@pytest.mark.parametrize('k', [1, 2, 8])
def test_k_hop_difference_is_joint_minus_kth_ancestor(k):
    x = np.random.default_rng(k).normal(size=(2, 3, 25, 3)).astype(np.float32)
    out = KHopDifference(
        k=k, layout='nturgb+d').transform(dict(keypoint=x.copy()))['keypoint']
    for v in range(25):
        a = ancestor(v, k)
        expected = x[:, :, v] - (x[:, :, a] if a is not None else 0)
        assert np.allclose(out[:, :, v], expected, atol=1e-5), v


def test_ucla_quirk_subtracts_depth_k_descendants():
    children = {}
    for child, parent in [(1, 2), (2, 3), (4, 3), (5, 3), (6, 5), (7, 6),
                          (8, 7), (9, 3), (10, 9), (11, 10), (12, 11), (13, 1),
                          (14, 13), (15, 14), (16, 15), (17, 1), (18, 17),
                          (19, 18), (20, 19)]:
        children.setdefault(parent - 1, []).append(child - 1)

    def descendants(joint, depth):
        level = [joint]
        for _ in range(depth):
            level = [c for j in level for c in children.get(j, [])]
        return level

    x = np.random.default_rng(0).normal(size=(1, 2, 20, 3))
    out = KHopDifference(
        k=2, layout='nwucla').transform(dict(keypoint=x.copy()))['keypoint']
    for v in range(20):
        expected = x[:, :, v] - sum(
            (x[:, :, d] for d in descendants(v, 2)), np.zeros_like(x[:, :, v]))
        assert np.allclose(out[:, :, v], expected), v


def test_preprocessor_equals_transform_then_motion():
    x = torch.randn(2, 1, 2, 6, 25, 3)
    pre = SkeletonStreamPreprocessor(k_hop=8, motion=True)
    out, _ = pre.preprocess(list(x), [ActionDataSample()] * 2)
    bones = np.stack([
        KHopDifference(k=8).transform(dict(keypoint=s[0].numpy()))['keypoint']
        for s in x
    ])[:, None]
    expected = np.zeros_like(bones)
    expected[..., :-1, :, :] = bones[..., 1:, :, :] - bones[..., :-1, :, :]
    assert torch.allclose(out, torch.from_numpy(expected), atol=1e-5)
    with pytest.raises(ValueError, match='25 joints, the batch has 17'):
        pre.preprocess(
            list(torch.randn(1, 1, 2, 6, 17, 3)), [ActionDataSample()])


def test_valid_crop_resize_test_mode_central_crop_interpolated():
    T, valid = 40, 30
    x = np.zeros((1, T, 2, 3), np.float32)
    x[0, :valid] = np.arange(1, valid + 1, dtype=np.float32)[:, None, None]
    out = ValidCropResize(
        clip_len=8, p_interval=(0.9, ), test_mode=True)(
            dict(keypoint=x))
    bias = int(0.1 * valid / 2)
    crop = x[0, bias:valid - bias, 0, 0]
    # linear interpolation with align_corners=False, written out
    scale = len(crop) / 8
    src = np.clip((np.arange(8) + 0.5) * scale - 0.5, 0, len(crop) - 1)
    expected = np.interp(src, np.arange(len(crop)), crop)
    assert out['keypoint'].shape == (1, 8, 2, 3)
    assert np.allclose(out['keypoint'][0, :, 0, 0], expected, atol=1e-5)
    assert out['total_frames'] == 8


def test_valid_crop_resize_training_crop_is_within_valid_frames():
    np.random.seed(0)
    x = np.zeros((2, 100, 25, 3), np.float32)
    x[:, :70] = np.random.rand(2, 70, 25, 3) + 1  # frames 70.. are padding
    for _ in range(20):
        out = ValidCropResize(clip_len=64)(dict(keypoint=x))['keypoint']
        assert out.shape == (2, 64, 25, 3)
        assert (np.abs(out).sum(axis=(0, 2, 3)) > 0).all()


def test_random_rotation_keeps_bone_lengths_and_zero_persons():
    np.random.seed(1)
    x = np.random.rand(2, 5, 25, 3).astype(np.float32)
    x[1] = 0
    out = RandomRotation3D(max_angle=0.3)(dict(keypoint=x.copy()))['keypoint']
    assert not np.allclose(out, x)
    assert np.allclose(
        np.linalg.norm(out[0, :, 3] - out[0, :, 2], axis=-1),
        np.linalg.norm(x[0, :, 3] - x[0, :, 2], axis=-1),
        atol=1e-5)
    assert (out[1] == 0).all()
    with pytest.raises(ValueError, match='3D keypoints'):
        RandomRotation3D()(dict(keypoint=np.zeros((1, 2, 17, 2))))


def test_interpolation_reference_matches_torch():
    # the reference used above equals F.interpolate(align_corners=False)
    series = torch.arange(27, dtype=torch.float32).view(1, 1, -1)**1.5
    ours = F.interpolate(series, size=8, mode='linear', align_corners=False)
    src = np.clip((np.arange(8) + 0.5) * 27 / 8 - 0.5, 0, 26)
    assert np.allclose(
        ours.flatten().numpy(),
        np.interp(src, np.arange(27),
                  series.flatten().numpy()),
        rtol=1e-5)
