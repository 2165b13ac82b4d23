"""ProDA's SportsHHI variant: pair tokens, shared encoder layer, head, losses.

The DPM, gate fusion and AD losses are plug-ins taken from the MODELS
registry. The ``_Plain*ForTest`` classes below are test-only stand-ins
written from the method's equations (DPM: ``x + sum_t sigmoid(W^w LN(W^y v
+ x))_t Q_t(v)``; official ``GateFusion``, ``dis_loss`` and reconstruction
margin), with the call signatures the head documents.
"""
import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn

import mmaction_ext  # noqa: F401
from mmaction_ext.models.roi_heads import (HHIPairEncoderLayer,
                                           HHIPairTokenBuilder,
                                           HHIReconstructNetwork, ProDAHHIHead)
from mmaction_ext.models.roi_heads.proda_hhi_head import group_pairs_by_frame
from mmaction_ext.structures.hhi_pair_boxes import (pair_box_masks,
                                                    pair_union_boxes)


@MODELS.register_module(force=True)
class _PlainPromptForTest(nn.Module):

    def __init__(self, num_classes, embed_dims, num_prompts=10, use_norm=True):
        super().__init__()
        self.num_prompts, self.embed_dims = num_prompts, embed_dims
        self.candidates = nn.Linear(num_classes, num_prompts * embed_dims)
        self.spec_proj = nn.Linear(num_classes, embed_dims)
        self.norm = nn.LayerNorm(embed_dims) if use_norm else nn.Identity()
        self.weight_proj = nn.Linear(embed_dims, num_prompts)

    def forward(self, x, spec, mask):
        q = self.candidates(spec).view(-1, self.num_prompts, self.embed_dims)
        w = self.weight_proj(
            self.norm(self.spec_proj(spec)[:, None, None] + x)).sigmoid()
        out = x + torch.einsum('bnmt,btd->bnmd', w, q)
        return out * mask[..., None], w


@MODELS.register_module(force=True)
class _PlainGateFusionForTest(nn.Module):

    def __init__(self, embed_dims, dropout=0.1):
        super().__init__()
        hidden = embed_dims // 4
        self.gate = nn.Sequential(
            nn.Linear(2 * embed_dims, embed_dims), nn.GELU(),
            nn.Dropout(dropout), nn.Linear(embed_dims, hidden),
            nn.LayerNorm(hidden), nn.GELU(), nn.Dropout(dropout),
            nn.Linear(hidden, 1))

    def forward(self, a, b):
        s = self.gate(torch.cat([a, b], -1)).sigmoid()
        return s * a + (1 - s) * b, s


def official_dis_loss(x1, x2, margin=0.4):
    x1 = x1 - x1.mean(-1, keepdim=True)
    x2 = x2 - x2.mean(-1, keepdim=True)
    sigma1, sigma2 = x1.pow(2).mean().sqrt(), x2.pow(2).mean().sqrt()
    return F.relu((x1 * x2).mean().abs() / (sigma1 * sigma2) - margin)


@MODELS.register_module(force=True)
class _PlainDisLossForTest(nn.Module):
    """Whole-batch Pearson correlation over the valid pairs (official)."""

    def __init__(self, margin=0.4):
        super().__init__()
        self.margin = margin

    def forward(self, a, b, mask):
        return official_dis_loss(a[mask], b[mask], self.margin)


@MODELS.register_module(force=True)
class _PlainRecLossForTest(nn.Module):

    def __init__(self, margin=0.3):
        super().__init__()
        self.margin = margin

    def forward(self, target, recon, mask):
        return F.relu(F.mse_loss(recon[mask], target[mask]) - self.margin)


PLUGINS = dict(
    prompt_cfg=dict(type='_PlainPromptForTest', num_prompts=3),
    fusion_cfg=dict(type='_PlainGateFusionForTest'),
    dis_loss_cfg=dict(type='_PlainDisLossForTest'),
    rec_loss_cfg=dict(type='_PlainRecLossForTest', margin=0.))


def tiny_head(**kwargs):
    cfg = dict(
        num_classes=5,
        num_spec_classes=7,
        in_channels=16,
        token_builder=dict(
            type='HHIPairTokenBuilder', pair_channels=8, spatial_channels=8),
        encoder_cfg=dict(
            type='HHIPairEncoderLayer', num_heads=2, feedforward_channels=16),
        recon_cfg=dict(type='HHIReconstructNetwork'),
        **PLUGINS)
    cfg.update(kwargs)
    head = ProDAHHIHead(**cfg)
    head.init_weights()
    return head


def random_boxes(n, gen):
    xy = torch.rand(n, 2, generator=gen) * 50
    wh = torch.rand(n, 2, generator=gen) * 40 + 5
    return torch.cat([xy, xy + wh], 1)


def tiny_batch(gen,
               frames=(0, 0, 0, 1, 1),
               pairs=((0, 1), (1, 0), (0, 2), (3, 4), (4, 3))):
    rois = torch.cat([
        torch.tensor(frames, dtype=torch.float)[:, None],
        random_boxes(len(frames), gen)
    ], 1)
    p1 = torch.tensor([p[0] for p in pairs])
    p2 = torch.tensor([p[1] for p in pairs])
    person = torch.randn(len(frames), 16, 2, 4, 4, generator=gen)
    union = torch.randn(len(pairs), 16, 2, 4, 4, generator=gen)
    spec = (torch.rand(2, 7, generator=gen) > 0.5).float()
    return person, union, rois, p1, p2, spec


# Boxes


def test_union_boxes_and_min_corner_quirk():
    p1 = torch.tensor([[0., 0., 10., 20.]])
    p2 = torch.tensor([[5., 2., 30., 8.]])
    assert pair_union_boxes(p1, p2).tolist() == [[0., 0., 30., 20.]]
    # The official bboxes2union takes min for x2/y2 as well.
    assert pair_union_boxes(
        p1, p2, min_corner_quirk=True).tolist() == [[0., 0., 10., 8.]]
    with pytest.raises(ValueError, match='p2 box 0'):
        pair_union_boxes(p1, torch.tensor([[5., 2., 1., 8.]]))


def plain_masks(p1, p2, size):
    """Neural-motifs' draw_rectangles as plain loops over cells."""
    out = torch.zeros(p1.shape[0], 2, size, size)
    for n in range(p1.shape[0]):
        ux1 = min(p1[n, 0], p2[n, 0])
        uy1 = min(p1[n, 1], p2[n, 1])
        w = max(p1[n, 2], p2[n, 2]) - ux1
        h = max(p1[n, 3], p2[n, 3]) - uy1
        for c, box in enumerate((p1[n], p2[n])):
            x1, x2 = (box[0] - ux1) * size / w, (box[2] - ux1) * size / w
            y1, y2 = (box[1] - uy1) * size / h, (box[3] - uy1) * size / h
            for i in range(size):
                for j in range(size):
                    cx = min(max(j + 1 - x1, 0), 1) * min(max(x2 - j, 0), 1)
                    cy = min(max(i + 1 - y1, 0), 1) * min(max(y2 - i, 0), 1)
                    out[n, c, i, j] = cx * cy
    return out


def test_pair_box_masks_match_plain_loops():
    gen = torch.Generator().manual_seed(0)
    p1, p2 = random_boxes(3, gen), random_boxes(3, gen)
    masks = pair_box_masks(p1, p2, size=9)
    assert masks.shape == (3, 2, 9, 9)
    torch.testing.assert_close(masks, plain_masks(p1, p2, 9))


# Pair tokens, encoder layer, reconstruction net


def test_token_builder_official_width_and_gradients():
    builder = HHIPairTokenBuilder()
    assert builder.out_channels == 1792
    gen = torch.Generator().manual_seed(1)
    feats = [torch.randn(2, 768, generator=gen) for _ in range(3)]
    tokens = builder(*feats, random_boxes(2, gen), random_boxes(2, gen))
    assert tokens.shape == (2, 1792)
    tokens.sum().backward()
    assert all(p.grad is not None for p in builder.parameters())
    no_spatial = HHIPairTokenBuilder(in_channels=8, use_spatial=False)
    assert no_spatial.out_channels == 1536


def plain_encoder(layer, x, pad, ffn_norm):
    attn = layer.attn
    d = x.shape[-1]
    heads = attn.num_heads
    q, k, v = F.linear(x, attn.in_proj_weight, attn.in_proj_bias).split(d, -1)

    def split(t):
        return t.view(t.shape[0], t.shape[1], heads,
                      d // heads).transpose(1, 2)

    scores = split(q) @ split(k).transpose(-1, -2) / (d // heads)**0.5
    scores = scores.masked_fill(pad[:, None, None], float('-inf'))
    ctx = (scores.softmax(-1) @ split(v)).transpose(1, 2).reshape(x.shape)
    x = F.layer_norm(x + attn.out_proj(ctx), (d, ), layer.attn_norm.weight,
                     layer.attn_norm.bias)
    lin1, lin2 = layer.ffn[0], layer.ffn[3]
    x = x + lin2(torch.relu(lin1(x)))
    if ffn_norm:
        x = F.layer_norm(x, (d, ), layer.ffn_norm.weight, layer.ffn_norm.bias)
    return x


@pytest.mark.parametrize('ffn_norm', [False, True])
def test_encoder_layer_matches_plain_post_norm(ffn_norm):
    torch.manual_seed(0)
    layer = HHIPairEncoderLayer(
        embed_dims=8, num_heads=2, feedforward_channels=12,
        ffn_norm=ffn_norm).eval()
    assert (layer.ffn_norm is None) == (not ffn_norm)
    x = torch.randn(2, 4, 8)
    pad = torch.tensor([[False] * 4, [False, False, True, True]])
    out = layer(x, key_padding_mask=pad)
    torch.testing.assert_close(out, plain_encoder(layer, x, pad, ffn_norm))
    # Padding never reaches the real pairs.
    x2 = x.clone()
    x2[1, 2:] = 100.
    torch.testing.assert_close(
        layer(x2, key_padding_mask=pad)[1, :2], out[1, :2])


def test_reconstruct_network_layernorm_eps_quirk():
    net = HHIReconstructNetwork(embed_dims=8, num_layers=3, dropout=0.)
    norms = [m for m in net.modules() if isinstance(m, nn.LayerNorm)]
    assert len(norms) == 1 and norms[0].eps == 1.0
    assert len([m for m in net.modules() if isinstance(m, nn.Linear)]) == 3
    std = HHIReconstructNetwork(
        embed_dims=8, num_layers=3, dropout=0., final_norm_eps=1e-5)
    std.load_state_dict(net.state_dict())
    x = torch.randn(4, 8) * 0.1
    assert not torch.allclose(net(x), std(x))
    with pytest.raises(ValueError, match='num_layers'):
        HHIReconstructNetwork(num_layers=0)


# Parameter count of the prompt plug-in


def dpm_params(num_classes, dims, prompts):
    """Linear(S->T*D) + Linear(S->D) + LayerNorm(D) + Linear(D->T)."""
    return ((num_classes + 1) * prompts * dims + (num_classes + 1) * dims +
            2 * dims + (dims + 1) * prompts)


def test_dpm_parameter_count_at_paper_size():
    one = dpm_params(35, 1792, 10)
    assert one == 731146
    # The paper's "DPM adds 1.46M" = the two prompt modules (specified and
    # unspecified branch): 2 * 731,146 = 1,462,292.
    assert round(2 * one / 1e6, 2) == 1.46
    head = ProDAHHIHead(**dict(
        PLUGINS, prompt_cfg=dict(type='_PlainPromptForTest', num_prompts=10)))
    count = sum(p.numel() for m in (*head.prompts_s, *head.prompts_u)
                for p in m.parameters())
    assert count == 2 * one
    assert head.embed_dims == 1792
    if 'DynamicPromptModule' in MODELS.module_dict:  # the package's DPM
        dpm = MODELS.build(
            dict(
                type='DynamicPromptModule',
                num_classes=35,
                embed_dims=1792,
                num_prompts=10,
                use_norm=True))
        assert sum(p.numel() for p in dpm.parameters()) == one


# Grouping and the head


def test_group_pairs_by_frame_keeps_order_and_handles_unsorted():
    group, position, length = group_pairs_by_frame(
        torch.tensor([3, 1, 3, 3, 1]))
    assert group.tolist() == [1, 0, 1, 1, 0]
    assert position.tolist() == [0, 0, 1, 2, 1]
    assert length == 3


def test_head_forward_backward_shapes_and_gradients():
    gen = torch.Generator().manual_seed(0)
    head = tiny_head().train()
    person, union, rois, p1, p2, spec = tiny_batch(gen)
    person.requires_grad_()
    out = head(person, union, rois, p1, p2, spec)
    assert out['cls_score'].shape == (5, 5)
    assert out['com_score'].shape == out['pri_score'].shape == (5, 6)
    assert out['x_in'].shape == out['recon'].shape == (5, 8 * 3 + 8)
    labels = torch.zeros(5, 5)
    labels[0, 2] = labels[0, 3] = labels[3, 1] = 1
    c_labels = torch.zeros(5, 5)
    p_labels = torch.zeros(5, 5)
    c_labels[0, 2], p_labels[0, 0] = 1, 1  # class 2 specified
    c_labels[0, 0], p_labels[0, 3] = 1, 1  # class 3 not
    c_labels[3, 0], p_labels[3, 1] = 1, 1
    losses = head.loss(out, labels, c_labels, p_labels)
    assert set(losses) == {
        'loss_hhi_cls', 'loss_c', 'loss_p', 'loss_s', 'loss_r'
    }
    sum(losses.values()).backward()
    assert person.grad is not None and person.grad.abs().sum() > 0
    frozen = [n for n, p in head.named_parameters() if p.grad is None]
    assert frozen == []


def test_head_loss_matches_plain_formulas():
    gen = torch.Generator().manual_seed(2)
    head = tiny_head().eval()
    head.recon_net.eval()
    person, union, rois, p1, p2, spec = tiny_batch(gen)
    out = head(person, union, rois, p1, p2, spec)
    out['recon'] = head.recon_net(out['fused'])
    labels = torch.zeros(5, 5)
    labels[1, 4] = labels[4, 2] = labels[4, 3] = 1
    c_labels, p_labels = torch.zeros(5, 5), torch.zeros(5, 5)
    c_labels[1, 4], p_labels[1, 0] = 1, 1
    c_labels[4, 0], p_labels[4, 2] = 1, 1
    losses = head.loss(out, labels, c_labels, p_labels)
    pos = [1, 4]

    def ce(logits, target):
        return -(target * logits.log_softmax(-1)).sum(-1).mean()

    gt = labels[pos, 1:]
    torch.testing.assert_close(
        losses['loss_hhi_cls'],
        ce(out['cls_score'][pos, 1:], gt / gt.sum(-1, keepdim=True)))
    torch.testing.assert_close(losses['loss_c'],
                               ce(out['com_score'][pos, 1:], c_labels[pos]))
    torch.testing.assert_close(
        losses['loss_p'], 0.1 * ce(out['pri_score'][pos, 1:], p_labels[pos]))
    # Dis and rec losses see every sampled pair, negatives included.
    torch.testing.assert_close(losses['loss_s'],
                               official_dis_loss(out['x_com'], out['x_pri']))
    torch.testing.assert_close(losses['loss_r'],
                               F.mse_loss(out['recon'], out['x_in']))


def test_head_attention_stays_within_a_keyframe_and_order_free():
    gen = torch.Generator().manual_seed(3)
    head = tiny_head().eval()
    person, union, rois, p1, p2, spec = tiny_batch(gen)
    out = head(person, union, rois, p1, p2, spec)
    other = person.clone()
    other[3:] = torch.randn(2, 16, 2, 4, 4, generator=gen)
    changed = head(other, union, rois, p1, p2, spec)
    torch.testing.assert_close(changed['cls_score'][:3], out['cls_score'][:3])
    assert not torch.allclose(changed['cls_score'][3:], out['cls_score'][3:])
    perm = torch.tensor([4, 0, 3, 2, 1])
    shuffled = head(person, union[perm], rois, p1[perm], p2[perm], spec)
    torch.testing.assert_close(shuffled['cls_score'], out['cls_score'][perm])
    # The specification reaches the scores.
    flipped = head(person, union, rois, p1, p2, 1 - spec)
    assert not torch.allclose(flipped['cls_score'], out['cls_score'])
    probs = head.predict(out)
    torch.testing.assert_close(probs.sum(-1), torch.ones(5))


def test_head_without_reconstruction_or_dis_loss():
    gen = torch.Generator().manual_seed(4)
    head = tiny_head(recon_cfg=None, dis_loss_cfg=None).train()
    person, union, rois, p1, p2, spec = tiny_batch(gen)
    out = head(person, union, rois, p1, p2, spec)
    assert 'recon' not in out
    losses = head.loss(out, torch.zeros(5, 5), torch.zeros(5, 5),
                       torch.zeros(5, 5))
    assert set(losses) == {'loss_hhi_cls', 'loss_c', 'loss_p'}
    # No positive pair: zero losses instead of the official NaN.
    assert all(torch.isfinite(v) and v == 0 for v in losses.values())


def test_head_without_pairs():
    gen = torch.Generator().manual_seed(6)
    head = tiny_head().train()
    person, union, rois, p1, p2, spec = tiny_batch(gen)
    none = torch.zeros(0, dtype=torch.long)
    out = head(person, union[:0], rois, none, none, spec)
    assert out['cls_score'].shape == (0, 5)
    losses = head.loss(out, *(torch.zeros(0, 5) for _ in range(3)))
    assert set(losses) == {
        'loss_hhi_cls', 'loss_c', 'loss_p', 'loss_s', 'loss_r'
    }
    assert all(v == 0 for v in losses.values())


def test_head_bad_inputs():
    gen = torch.Generator().manual_seed(5)
    head = tiny_head().train()
    person, union, rois, p1, p2, spec = tiny_batch(gen)
    with pytest.raises(ValueError, match=r'spec must be \(B, 7\)'):
        head(person, union, rois, p1, p2, spec[:, :3])
    with pytest.raises(ValueError, match='two different keyframes'):
        head(person, union, rois, p1, torch.tensor([1, 0, 2, 1, 3]), spec)
    with pytest.raises(ValueError, match=r'\(R, C, T, h, w\)'):
        head(person[:, :, 0], union, rois, p1, p2, spec)
    out = head(person, union, rois, p1, p2, spec)
    labels = torch.zeros(5, 5)
    labels[2, 1] = 1
    with pytest.raises(ValueError, match='positive pair 2 has no c_labels'):
        head.loss(out, labels, torch.zeros(5, 5), torch.zeros(5, 5))
    with pytest.raises(ValueError, match='labels must be'):
        head.loss(out, labels[:, :3], labels, labels)
    with pytest.raises(ValueError, match='spatial_pool_type'):
        tiny_head(spatial_pool_type='sum')
