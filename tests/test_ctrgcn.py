"""CTR-GCN backbone: layouts, shapes, parameter count, gradients."""
import pytest
import torch

import mmaction_ext  # noqa: F401
from mmaction.registry import MODELS
from mmengine.registry import init_default_scope

init_default_scope('mmaction')

CUSTOM_LAYOUT = dict(
    num_node=5, inward=[(1, 0), (2, 1), (3, 1), (4, 1)], center=0)


def tiny(layout, **kwargs):
    return MODELS.build(
        dict(
            type='CTRGCN',
            graph_cfg=dict(layout=layout, mode='spatial'),
            base_channels=8,
            **kwargs))


@pytest.mark.parametrize('layout,joints', [('nturgb+d', 25), ('coco', 17),
                                           ('openpose', 18),
                                           (CUSTOM_LAYOUT, 5)])
def test_output_shape_per_layout(layout, joints):
    model = tiny(layout)
    x = torch.randn(2, 2, 12, joints, 3)
    assert model(x).shape == (2, 2, 32, 3, joints)


def test_paper_size_has_1_46m_parameters_with_120_class_head():
    recognizer = MODELS.build(
        dict(
            type='RecognizerGCN',
            backbone=dict(
                type='CTRGCN',
                graph_cfg=dict(layout='nturgb+d', mode='spatial')),
            cls_head=dict(type='GCNHead', num_classes=120, in_channels=256)))
    count = sum(p.numel() for p in recognizer.parameters())
    assert count == 1_462_092  # the paper reports 1.46M


def test_stages_follow_the_paper():
    model = MODELS.build(
        dict(type='CTRGCN', graph_cfg=dict(layout='nturgb+d')))
    widths = [block.gcn1.bn.num_features for block in model.net]
    assert widths == [64] * 4 + [128] * 3 + [256] * 3
    x = torch.randn(1, 2, 16, 25, 3)
    assert model(x).shape == (1, 2, 256, 4, 25)


def test_gradients_reach_every_parameter():
    model = tiny('coco', in_channels=2)
    model(torch.randn(3, 2, 8, 17, 2)).pow(2).mean().backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None]
    assert not missing
    assert model.net[0].gcn1.alpha.grad.abs().sum() > 0


def test_channelwise_topology_matches_the_paper_equation():
    from mmaction_ext.models.utils import ChannelwiseTopologyRefinement
    torch.manual_seed(0)
    ctrgc = ChannelwiseTopologyRefinement(4, 6)
    x = torch.randn(2, 4, 5, 3)  # N, C, T, V
    A = torch.rand(3, 3)
    alpha = torch.tensor(0.7)
    out = ctrgc(x, A, alpha)

    def linear(conv, feat):  # 1x1 conv on a (C, ...) tensor
        w, b = conv.weight[:, :, 0, 0], conv.bias
        return torch.einsum('oc,c...->o...', w, feat) + b.view(
            -1, *[1] * (feat.dim() - 1))

    expected = torch.zeros(2, 6, 5, 3)
    for n in range(2):
        phi = linear(ctrgc.conv1, x[n]).mean(1)  # (R, V), mean over T
        psi = linear(ctrgc.conv2, x[n]).mean(1)
        value = linear(ctrgc.conv3, x[n])  # (C_out, T, V)
        for c in range(6):
            for u in range(3):
                for v in range(3):
                    relation = torch.tanh(phi[:, u] - psi[:, v])  # (R,)
                    refined = ctrgc.conv4.weight[c, :, 0, 0] @ relation + \
                        ctrgc.conv4.bias[c]
                    weight = alpha * refined + A[u, v]
                    expected[n, c, :, v] += weight * value[c, :, u]
    assert torch.allclose(out, expected, atol=1e-5)


@pytest.mark.parametrize('shape', [(2, 2, 8, 17, 3), (2, 1, 8, 25, 3),
                                   (2, 2, 8, 25, 2), (2, 8, 25, 3)])
def test_wrong_input_shape_is_a_clear_error(shape):
    model = tiny('nturgb+d')
    with pytest.raises(ValueError, match=r'\(N, M, T, V, C\)'):
        model(torch.randn(*shape))


def test_state_dict_keys_follow_mmaction2_projects_ctrgcn():
    keys = set(tiny('nturgb+d').state_dict())
    for key in ('data_bn.weight', 'net.0.gcn1.convs.2.conv4.weight',
                'net.0.gcn1.A', 'net.0.gcn1.alpha', 'net.0.gcn1.down.0.weight',
                'net.4.residual.conv.weight', 'net.1.tcn1.branches.0.3.conv.'
                'weight', 'net.1.tcn1.branches.2.4.running_mean',
                'net.1.tcn1.branches.3.0.weight'):
        assert key in keys, key
