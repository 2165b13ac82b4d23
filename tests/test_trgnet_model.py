"""TRG-Net modules and losses against straightforward implementations."""
import math
from collections import deque

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from mmaction.registry import MODELS
from mmaction_ext.models.losses import (ARISLoss, BoundaryBCELoss, GSTMSELoss,
                                        kl_to_targets)
from mmaction_ext.models.utils import (TextGuidedGraphConv, k_hop_adjacencies)
from mmaction_ext.structures import SegmentationDataSample
from mmaction_ext.structures.skeleton_layouts import SKELETON_LAYOUTS
from mmaction_ext.text import relation_graph, save_text_priors

init_default_scope('mmaction')


def hops(num_joints, edges):
    """All-pairs hop distances by breadth-first search."""
    neighbours = {v: set() for v in range(num_joints)}
    for i, j in edges:
        neighbours[i].add(j)
        neighbours[j].add(i)
    dist = np.full((num_joints, num_joints), np.inf)
    for source in range(num_joints):
        dist[source, source] = 0
        queue = deque([source])
        while queue:
            v = queue.popleft()
            for u in neighbours[v]:
                if dist[source, u] == np.inf:
                    dist[source, u] = dist[source, v] + 1
                    queue.append(u)
    return dist


def test_k_hop_adjacencies_are_exact_hops_normalised():
    layout = SKELETON_LAYOUTS['nturgb+d_lasa']
    num_joints, edges = layout.num_node, layout.inward
    scales = k_hop_adjacencies(num_joints, edges, 13)
    dist = hops(num_joints, edges)
    for k in range(13):
        binary = (dist == k) | np.eye(num_joints, dtype=bool)
        degree = binary.sum(1)
        expected = binary / np.sqrt(degree[:, None] * degree[None])
        assert np.allclose(scales[k], expected, atol=1e-6), k


def test_text_guided_graph_conv_matches_loops():
    torch.manual_seed(0)
    conv = TextGuidedGraphConv(4, 2).eval()
    conv.alpha.data.fill_(0.3)
    conv.beta.data.fill_(0.7)
    x = torch.randn(1, 4, 3, 5)
    tjg = torch.rand(5, 5)
    mask = torch.ones(1, 1, 3)
    out = conv(x, tjg, mask)

    def lin(c, f):
        return torch.einsum('oc,ctv->otv', c.weight[:, :, 0, 0],
                            f) + c.bias[:, None, None]

    x1, x2, x3 = lin(conv.conv1, x[0]), lin(conv.conv2,
                                            x[0]), lin(conv.conv3, x[0])
    y = torch.zeros(4, 3, 5)
    for t in range(3):
        for u in range(5):
            for v in range(5):
                frame = math.tanh(x1[:, t, u].mean() - x2[:, t, v].mean())
                rel = torch.tanh(x1[:, :, u].mean(1) - x2[:, :, v].mean(1))
                chan = conv.conv4.weight[:, :, 0, 0] @ rel + conv.conv4.bias
                w = (frame * 0.7 + tjg[u, v]) + (chan * 0.3 + tjg[u, v])
                y[:, t, u] += w * x3[:, t, v]
    expected = F.relu(conv.bn(y[None]) + x)
    assert torch.allclose(out, expected, atol=1e-5)


def test_gs_tmse_matches_loops():
    torch.manual_seed(1)
    logits, feats = torch.randn(2, 3, 6), torch.randn(2, 4, 6)
    mask = torch.tensor([[[1.] * 6], [[1.] * 4 + [0.] * 2]])
    loss = GSTMSELoss()(logits, feats, mask)
    per_video = []
    for n, length in enumerate((6, 4)):
        logp = F.log_softmax(logits[n, :, :length], 0)
        terms = []
        for t in range(length - 1):
            s = math.exp(-float(
                (feats[n, :, t + 1] - feats[n, :, t]).norm()) / 2)
            d = ((logp[:, t + 1] - logp[:, t])**2).clamp(max=16).mean()
            terms.append(s * d)
        per_video.append(sum(terms) / len(terms))
    assert loss.item() == pytest.approx(float(sum(per_video) / 2), rel=1e-5)


def test_boundary_bce_weights_positives_and_masks():
    logits = torch.tensor([[[2., -1., 0.5, 3.]]])
    target = torch.tensor([[[1., 0., 0., 1.]]])
    mask = torch.tensor([[[1., 1., 1., 0.]]])
    loss = BoundaryBCELoss(pos_weight=4., loss_weight=1.)(logits, target, mask)
    sig = torch.sigmoid(logits[0, 0, :3])
    expected = -(4 * math.log(sig[0]) + math.log(1 - sig[1]) +
                 math.log(1 - sig[2])) / 3
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_aris_segments_and_terms():
    torch.manual_seed(2)
    feature = torch.randn(2, 8, 6)
    labels = torch.tensor([[0, 0, 1, 1, 2, 2], [1, 1, 1, 0, 255, 255]])
    text = torch.randn(3, 8)
    tag = relation_graph(text)
    scale = torch.tensor(2.659)
    official = ARISLoss(drop_last_padded_segment=True)
    exact = ARISLoss(drop_last_padded_segment=False)
    _, kept_official = official.pool_segments(feature, labels)
    _, kept_exact = exact.pool_segments(feature, labels)
    assert kept_official == [0, 1, 2, 1] and kept_exact == [0, 1, 2, 1, 0]
    losses = exact(feature, labels, text, tag, scale)
    segments = torch.stack([
        feature[0, :, 0:2].mean(1), feature[0, :, 2:4].mean(1),
        feature[0, :, 4:6].mean(1), feature[1, :, 0:3].mean(1),
        feature[1, :, 3:4].mean(1)
    ])
    classes = torch.tensor([0, 1, 2, 1, 0])
    cos = F.normalize(segments, dim=1) @ F.normalize(text[classes], dim=1).t()
    same = (classes[:, None] == classes[None]).float()

    def kl(logits, target):
        q = torch.softmax(10 * target, 1)
        return (q * (q.log() - logits.log_softmax(1))).sum() / len(logits)

    absolute = (kl(scale * cos, same) + kl(scale * cos.t(), same.t())) / 2
    dist = torch.cdist(segments, segments)
    graph = 1 - (dist - dist.min()) / (dist.max() - dist.min())
    relative = kl(graph, tag[classes][:, classes])
    assert losses['loss_aris_abs'].item() == pytest.approx(
        0.8 * absolute.item(), rel=1e-4)
    assert losses['loss_aris_rel'].item() == pytest.approx(
        relative.item(), rel=1e-4)


def loop_segments(labels, ignore_index=255):
    """Runs of equal labels, (label, start, end), a plain loop."""
    segments, values, start = [], labels.tolist(), 0
    for t in range(1, len(values) + 1):
        if t == len(values) or values[t] != values[start]:
            if values[start] != ignore_index:
                segments.append((values[start], start, t))
            start = t
    return segments


@pytest.mark.parametrize('drop_last', [True, False])
def test_aris_is_bit_identical_to_a_plain_implementation(drop_last):
    torch.manual_seed(3)
    feature = torch.randn(3, 8, 12, requires_grad=True)
    labels = torch.randint(0, 4, (3, 12))
    labels[1, 9:] = labels[2, 5:] = 255
    text, scale = torch.randn(4, 8), torch.tensor(2.659)
    tag = relation_graph(text)
    aris = ARISLoss(drop_last_padded_segment=drop_last)
    losses = aris(feature, labels, text, tag, scale)
    pooled, classes = [], []
    for n in range(3):
        segments = loop_segments(labels[n])
        if drop_last and (labels[n] == 255).any():
            segments = segments[:-1]
        for label, start, end in segments:
            pooled.append(feature[n, :, start:end].mean(1))
            classes.append(label)
    segments, classes = torch.stack(pooled), torch.tensor(classes)
    absolute = aris.contrastive(
        segments, text[classes], classes, logit_scale=scale)
    distance = torch.cdist(segments, segments)
    span = (distance.max() - distance.min()).clamp(min=1e-12)
    graph = 1 - (distance - distance.min()) / span
    relative = kl_to_targets(graph, tag[classes][:, classes], 10.)
    assert torch.equal(losses['loss_aris_abs'], 0.8 * absolute)
    assert torch.equal(losses['loss_aris_rel'], relative)
    grad, = torch.autograd.grad(sum(losses.values()), feature)
    expected, = torch.autograd.grad(0.8 * absolute + relative, feature)
    assert torch.equal(grad, expected)


def test_relation_graph_precision():
    emb = torch.randn(5, 4, requires_grad=True)
    graph = relation_graph(emb, compute_dtype=None)
    assert graph.dtype == torch.float32 and graph.requires_grad
    assert torch.allclose(graph, relation_graph(emb), atol=1e-6)
    assert relation_graph(emb).dtype == torch.float32
    assert torch.equal(torch.diagonal(relation_graph(emb)), torch.ones(5))


def write_priors(path, joints=25, classes=13, dims=16):
    emb, act = torch.randn(joints, dims), torch.randn(classes, dims)
    save_text_priors(
        dict(
            tjg=relation_graph(emb).numpy(),
            tag=relation_graph(act).numpy(),
            action_embeddings=act.numpy()), str(path))
    return str(path)


def tiny_segmenter(priors, **head):
    return MODELS.build(
        dict(
            type='TRGNetSegmenter',
            backbone=dict(
                type='TRGNet',
                in_channels=6,
                num_layers=3,
                channels=16,
                num_scales=4),
            head=dict(type='TRGNetHead', channels=16, num_layers=2, **head),
            boundary_loss=dict(type='BoundaryBCELoss', pos_weight=10.),
            text_priors=priors))


def samples_for(lengths, classes=13):
    out = []
    for length in lengths:
        sample = SegmentationDataSample(metainfo=dict(total_frames=length))
        labels = np.arange(length) * 4 // length % classes
        sample.gt_frame_labels = labels
        sample.gt_boundaries = np.r_[1, labels[1:] != labels[:-1]]
        out.append(sample)
    return out


def test_segmenter_trains_and_predicts_real_lengths(tmp_path):
    model = tiny_segmenter(write_priors(tmp_path / 'p.npz'))
    x = torch.randn(2, 6, 40, 25)
    x[1, :, 30:] = 0
    losses = model(x, samples_for([40, 30]), mode='loss')
    assert set(losses) == {
        'loss_cls', 'loss_smooth', 'loss_boundary', 'loss_aris_abs',
        'loss_aris_rel'
    }
    sum(losses.values()).backward()
    assert model.logit_scale.grad is not None
    assert model.backbone.graph_conv.alpha.grad is not None
    model.eval()
    with torch.no_grad():
        out = model(x, samples_for([40, 30]), mode='predict')
    assert out[1].pred_frame_scores.shape == (13, 30)
    assert out[1].pred_boundary_logits.shape == (30, )
    assert len(model.head.class_stages) == 1
    assert len(model.head.boundary_stages) == 2


def test_padded_frames_stay_zero_in_every_stage(tmp_path):
    model = tiny_segmenter(write_priors(tmp_path / 'p.npz')).eval()
    x = torch.randn(2, 6, 40, 25)
    x[1, :, 30:] = 0
    with torch.no_grad():
        out = model(x, samples_for([40, 30]), mode='tensor')
    for stage in out['class_stages'] + out['boundary_stages']:
        assert (stage[1, :, 30:] == 0).all()
    assert (out['text_feature'][1, :, 30:] == 0).all()


def test_prior_sizes_must_match_the_model(tmp_path):
    with pytest.raises(ValueError, match=r'a\.npz: .*17, 17.*25 joints'):
        tiny_segmenter(write_priors(tmp_path / 'a.npz', joints=17))
    with pytest.raises(ValueError, match='the model has 12 classes'):
        tiny_segmenter(write_priors(tmp_path / 'b.npz'), num_classes=12)
    with pytest.raises(ValueError, match='16 dims, the head projects to 8'):
        tiny_segmenter(write_priors(tmp_path / 'c.npz'), text_dims=8)
    with pytest.raises(FileNotFoundError, match='build_text_priors'):
        tiny_segmenter(str(tmp_path / 'missing.npz'))


def test_wrong_joint_count_is_a_clear_error(tmp_path):
    model = tiny_segmenter(write_priors(tmp_path / 'p.npz'))
    with pytest.raises(ValueError, match=r'V=25'):
        model(torch.randn(1, 6, 20, 17), samples_for([20]), mode='loss')
