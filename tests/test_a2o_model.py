"""A2O recognizer side: adapter, V-JEPA 2 backbone, probe head, recognizer."""
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope

from mmaction_ext.models import (VJEPA2, A2ORecognizer, AttentiveProbeHead,
                                 LikelihoodMapAdapter,
                                 LikelihoodMapDataPreprocessor)
from mmaction_ext.models.utils.vjepa2_checkpoint import convert_encoder
from tests.vjepa2_reference import (official_encoder, random_official_encoder,
                                    rope_qk, rope_rotate_interleaved,
                                    token_positions)

init_default_scope('mmaction')

TINY = dict(
    hidden_size=32,
    num_attention_heads=2,
    num_hidden_layers=2,
    patch_size=8,
    tubelet_size=2,
    crop_size=32,
    frames_per_clip=4,
    pred_hidden_size=16,
    pred_num_attention_heads=2,
    pred_num_hidden_layers=1)
MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]


def tiny_backbone(**kwargs):
    torch.manual_seed(0)
    return VJEPA2(config=TINY, **kwargs)


# ----------------------------------------------------------------- adapter
@pytest.mark.parametrize('num_blocks', [0, 3, 4])
def test_adapter_variants_shapes_and_layers(num_blocks):
    adapter = LikelihoodMapAdapter(5, num_blocks=num_blocks, hidden_channels=8)
    convs = [m for m in adapter.modules() if isinstance(m, torch.nn.Conv3d)]
    relus = [m for m in adapter.modules() if isinstance(m, torch.nn.ReLU)]
    assert len(convs) == num_blocks + 1 and len(relus) == num_blocks
    assert all(c.kernel_size == (1, 1, 1) for c in convs)
    assert convs[0].in_channels == 5 and convs[-1].out_channels == 3
    frames, maps = torch.randn(2, 3, 4, 6, 6), torch.rand(2, 5, 4, 6, 6)
    out = adapter(frames, maps)
    assert out.shape == frames.shape
    torch.testing.assert_close(out, frames)  # zero-initialised output conv


def test_adapter_matches_plain_per_pixel_projection():
    adapter = LikelihoodMapAdapter(4, num_blocks=1, hidden_channels=6)
    torch.nn.init.normal_(adapter.layers[-1].weight)
    frames, maps = torch.randn(1, 3, 2, 5, 5), torch.rand(1, 4, 2, 5, 5)
    conv1, conv2 = adapter.layers[0], adapter.layers[2]
    hidden = torch.relu(
        torch.einsum('ok,bkthw->bothw', conv1.weight.flatten(1), maps) +
        conv1.bias.view(1, -1, 1, 1, 1))
    expected = frames + torch.einsum(
        'ok,bkthw->bothw', conv2.weight.flatten(1), hidden) + conv2.bias.view(
            1, -1, 1, 1, 1)
    torch.testing.assert_close(adapter(frames, maps), expected)


def test_adapter_is_position_independent():
    adapter = LikelihoodMapAdapter(3, num_blocks=3, hidden_channels=8)
    torch.nn.init.normal_(adapter.layers[-1].weight)
    frames, maps = torch.zeros(1, 3, 2, 4, 4), torch.rand(1, 3, 2, 4, 4)
    perm = torch.randperm(2 * 4 * 4)

    def shuffle(x):
        return x.flatten(2)[..., perm].view_as(x)

    torch.testing.assert_close(
        adapter(frames, shuffle(maps)), shuffle(adapter(frames, maps)))


def test_adapter_gradients_reach_every_layer_after_one_step():
    adapter = LikelihoodMapAdapter(3, num_blocks=3, hidden_channels=8)
    optim = torch.optim.SGD(adapter.parameters(), lr=0.1)
    frames, maps = torch.randn(2, 3, 2, 4, 4), torch.rand(2, 3, 2, 4, 4)
    for _ in range(2):
        optim.zero_grad()
        adapter(frames, maps).square().sum().backward()
        optim.step()
    assert all(p.grad is not None and p.grad.abs().sum() > 0
               for p in adapter.parameters())


def test_adapter_concat_and_bad_inputs():
    adapter = LikelihoodMapAdapter(5, fuse='concat')
    assert adapter.fused_channels == 8 and not list(adapter.parameters())
    frames, maps = torch.randn(1, 3, 2, 4, 4), torch.rand(1, 5, 2, 4, 4)
    torch.testing.assert_close(
        adapter(frames, maps), torch.cat([frames, maps], 1))
    with pytest.raises(ValueError, match='expects 5 likelihood maps'):
        adapter(frames, maps[:, :4])
    with pytest.raises(ValueError, match='fuse must be'):
        LikelihoodMapAdapter(5, fuse='mul')


# ---------------------------------------------------------------- backbone
def test_rope_equals_official_formula():
    attention = tiny_backbone().double().encoder.layer[0].attention
    for grid in (4, 3):  # crop_size's grid and another input size
        attention.grid_size = grid
        tokens = 2 * grid * grid
        qk = torch.randn(2, 2, tokens, 16, dtype=torch.float64)
        pos = attention.get_position_ids(torch.zeros(2, tokens, 32))
        ours = attention.apply_rotary_embeddings(qk, pos)
        expected = rope_qk(qk, token_positions(2, grid, grid))
        torch.testing.assert_close(ours, expected, rtol=0, atol=1e-12)
        # The tiled frequencies matter: the textbook variant differs.
        other = rope_qk(
            qk, token_positions(2, grid, grid), rotate=rope_rotate_interleaved)
        assert (other - expected).abs().max() > 1e-2
        torch.testing.assert_close(ours[..., 12:], qk[..., 12:])


@pytest.mark.parametrize('size', [32, 24])
def test_backbone_equals_official_encoder(size):
    official = {
        k: v.double()
        for k, v in random_official_encoder(width=32, depth=2).items()
    }
    config, state = convert_encoder(dict(official), num_heads=2)
    backbone = tiny_backbone().double()
    backbone.load_state_dict(state, strict=False)
    clips = torch.randn(2, 3, 4, size, size, dtype=torch.float64)
    ours = backbone(clips)
    assert ours.shape == (2, 2 * (size // 8)**2, 32)
    expected = official_encoder(official, clips, num_heads=2)
    torch.testing.assert_close(ours, expected, rtol=0, atol=1e-10)


def test_backbone_gradients_and_bad_inputs():
    backbone = tiny_backbone()
    backbone(torch.randn(1, 3, 4, 32, 32)).sum().backward()
    assert all(p.grad is not None for p in backbone.parameters())
    with pytest.raises(ValueError, match='square'):
        backbone(torch.randn(1, 3, 4, 32, 24))
    with pytest.raises(ValueError, match='multiple of the tubelet'):
        backbone(torch.randn(1, 3, 3, 32, 32))
    with pytest.raises(ValueError, match=r'expects \(B, 3'):
        backbone(torch.randn(1, 4, 4, 32, 32))
    with pytest.raises(FileNotFoundError, match='no-such-dir'):
        VJEPA2(pretrained='no-such-dir')


def test_backbone_gradient_checkpointing_gives_the_same_gradients():
    clips = torch.randn(1, 3, 4, 32, 32)
    grads = []
    for with_cp in (False, True):
        backbone = tiny_backbone(with_cp=with_cp).train()
        assert backbone.encoder.layer[0].gradient_checkpointing == with_cp
        backbone(clips).square().sum().backward()
        grads.append(backbone.encoder.layer[0].mlp.fc1.weight.grad)
    torch.testing.assert_close(grads[0], grads[1])


def test_backbone_extra_input_channels_start_invisible():
    plain, grown = tiny_backbone(), tiny_backbone(in_channels=5)
    proj = grown.encoder.embeddings.patch_embeddings.proj
    assert proj.in_channels == 5 and proj.weight[:, 3:].abs().sum() == 0
    clips = torch.randn(1, 5, 4, 32, 32)
    torch.testing.assert_close(grown(clips), plain(clips[:, :3]))


def test_backbone_loads_local_directory_and_freezes(tmp_path):
    from transformers import VJEPA2Config, VJEPA2Model
    torch.manual_seed(1)
    VJEPA2Model(VJEPA2Config(**TINY)).save_pretrained(tmp_path)
    reference = VJEPA2Model.from_pretrained(tmp_path).eval()
    backbone = VJEPA2(pretrained=str(tmp_path), frozen=True).train()
    assert not backbone.training
    assert not any(p.requires_grad for p in backbone.parameters())
    assert not any('predictor' in k for k in backbone.state_dict())
    clips = torch.randn(1, 3, 4, 32, 32)
    torch.testing.assert_close(
        backbone(clips), reference.get_vision_features(clips.transpose(1, 2)))


def test_backbone_loads_a_video_classification_directory(tmp_path):
    from transformers import VJEPA2Config, VJEPA2ForVideoClassification
    torch.manual_seed(2)
    classifier = VJEPA2ForVideoClassification(
        VJEPA2Config(**TINY, num_labels=3)).eval()
    classifier.save_pretrained(tmp_path)
    backbone = VJEPA2(pretrained=str(tmp_path)).eval()
    clips = torch.randn(1, 3, 4, 32, 32)
    with torch.no_grad():
        expected = classifier.vjepa2.get_vision_features(clips.transpose(1, 2))
        torch.testing.assert_close(backbone(clips), expected)


# -------------------------------------------------------------------- head
def test_probe_head_structure_and_shapes():
    head = AttentiveProbeHead(num_classes=7, in_channels=32, num_heads=2)
    assert len(head.pooler.self_attention_layers) == 3
    assert head.pooler.query_tokens.shape == (1, 1, 32)
    assert not hasattr(head.pooler.cross_attention_layer.cross_attn,
                       'out_proj')
    assert head.pooler.cross_attention_layer.layer_norm1.eps == 1e-5
    assert head.pooler.query_tokens.abs().sum() > 0
    assert head(torch.randn(2, 10, 32)).shape == (2, 7)
    feat_map = torch.randn(2, 32, 2, 3, 3)
    torch.testing.assert_close(
        head(feat_map), head(feat_map.flatten(2).transpose(1, 2)))
    with pytest.raises(ValueError, match='return_feat_map'):
        head(torch.randn(2, 32))


def test_probe_head_official_init_scales():
    torch.manual_seed(0)
    head = AttentiveProbeHead(
        num_classes=4, in_channels=256, num_heads=4, init_std=0.02)
    blocks = head.pooler.self_attention_layers
    for index, block in enumerate(blocks, 1):
        std = block.mlp.fc2.weight.std().item()
        assert std == pytest.approx(0.02 / (2 * index)**0.5, rel=0.1)
    assert head.pooler.cross_attention_layer.mlp.fc2.weight.std().item() \
        == pytest.approx(0.02 / 6**0.5, rel=0.1)
    assert head.fc_cls.bias.abs().sum() == 0


# --------------------------------------------------------- preprocessor
def test_preprocessor_normalises_rgb_and_scales_maps():
    pre = LikelihoodMapDataPreprocessor(mean=MEAN, std=STD)
    clip = torch.randint(0, 256, (1, 3 + 2, 2, 4, 4)).float()
    data = pre(dict(inputs=[clip], data_samples=[ActionDataSample()]))
    out = data['inputs']
    assert out.shape == (1, 1, 5, 2, 4, 4)
    mean = torch.tensor(MEAN).view(3, 1, 1, 1)
    std = torch.tensor(STD).view(3, 1, 1, 1)
    torch.testing.assert_close(out[0, 0, :3], (clip[0, :3] - mean) / std)
    torch.testing.assert_close(out[0, 0, 3:], clip[0, 3:] / 255)
    rgb = LikelihoodMapDataPreprocessor(mean=MEAN, std=STD, to_rgb=True)
    flipped = rgb(dict(inputs=[clip], data_samples=[ActionDataSample()]))
    torch.testing.assert_close(flipped['inputs'][0, 0, :3],
                               (clip[0, [2, 1, 0]] - mean) / std)
    with pytest.raises(ValueError, match='expected clips'):
        pre(dict(inputs=[clip[:, :2]], data_samples=[ActionDataSample()]))


# -------------------------------------------------------------- recognizer
def recognizer_cfg(num_maps=3, backbone=None, **kwargs):
    return dict(
        type='A2ORecognizer',
        backbone=backbone or dict(type='VJEPA2', config=TINY),
        adapter=dict(
            type='LikelihoodMapAdapter',
            in_channels=num_maps,
            num_blocks=3,
            hidden_channels=8) if num_maps else None,
        cls_head=dict(
            type='AttentiveProbeHead',
            num_classes=4,
            in_channels=32,
            num_heads=2,
            average_clips='prob'),
        data_preprocessor=dict(
            type='LikelihoodMapDataPreprocessor', mean=MEAN, std=STD),
        **kwargs)


def batch(num_maps=3, clips=1, size=32, labels=(1, )):
    inputs = [
        torch.randint(0, 256, (clips, 3 + num_maps, 4, size, size)).float()
        for _ in labels
    ]
    samples = [ActionDataSample().set_gt_label(label) for label in labels]
    return dict(inputs=inputs, data_samples=samples)


def test_recognizer_forward_backward_and_predict():
    torch.manual_seed(0)
    model = MODELS.build(recognizer_cfg())
    assert isinstance(model, A2ORecognizer) and model.num_object_classes == 3
    torch.nn.init.normal_(model.adapter.layers[-1].weight)
    data = model.data_preprocessor(batch(labels=(1, 2)), training=True)
    losses = model(**data, mode='loss')
    losses['loss_cls'].backward()
    for part in (model.adapter, model.backbone, model.cls_head):
        assert all(p.grad is not None and p.grad.abs().sum() > 0
                   for p in part.parameters())
    model.eval()
    with torch.no_grad():
        results = model.test_step(batch(labels=(0, )))
    assert results[0].pred_score.shape == (4, )
    assert float(results[0].pred_score.sum()) == pytest.approx(1.0)


def test_recognizer_train_step_updates_every_part():
    from mmengine.optim import OptimWrapper
    torch.manual_seed(0)
    model = MODELS.build(recognizer_cfg(clips_per_view=2))
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    for _ in range(2):  # the zero-initialised adapter output moves first
        log = model.train_step(batch(clips=2, labels=(0, 1)), optim)
    assert torch.isfinite(log['loss'])
    after = model.state_dict()
    for key in ('adapter.layers.0.weight', 'adapter.layers.6.weight',
                'backbone.encoder.layer.0.attention.query.weight',
                'cls_head.pooler.query_tokens', 'cls_head.fc_cls.weight'):
        assert not torch.equal(before[key], after[key]), key


def test_recognizer_checks_map_channels():
    model = MODELS.build(recognizer_cfg())
    data = model.data_preprocessor(batch(num_maps=2), training=True)
    with pytest.raises(ValueError, match='another class list'):
        model(**data, mode='loss')
    concat = recognizer_cfg()
    concat['adapter'].update(fuse='concat')
    with pytest.raises(ValueError, match='in_channels to 3 \\+'):
        MODELS.build(concat)
    concat['backbone'].update(in_channels=6)
    model = MODELS.build(concat)
    data = model.data_preprocessor(batch(), training=True)
    assert model(**data, mode='loss')['loss_cls'].isfinite()


def test_recognizer_without_adapter_is_the_plain_baseline():
    model = MODELS.build(recognizer_cfg(num_maps=0)).eval()
    data = model.data_preprocessor(batch(num_maps=0))
    with torch.no_grad():
        tokens = model(**data, mode='tensor')  # stage 'backbone'
        scores, _ = model.extract_feat(data['inputs'], stage='head')
        expected = model.cls_head(model.backbone(data['inputs'][:, 0]))
    torch.testing.assert_close(tokens, model.backbone(data['inputs'][:, 0]))
    torch.testing.assert_close(scores, expected)


def test_recognizer_concatenates_clip_tokens_per_view():
    model = MODELS.build(recognizer_cfg(clips_per_view=2)).eval()
    data = model.data_preprocessor(batch(clips=6))  # 3 views x 2 clips
    with torch.no_grad():
        feats, _ = model.extract_feat(data['inputs'], test_mode=True)
        clips = data['inputs'][0]
        fused = model.adapter(clips[:, :3], clips[:, 3:])
        tokens = model.backbone(fused)
    assert feats.shape == (3, 2 * tokens.shape[1], 32)
    torch.testing.assert_close(feats[1], torch.cat([tokens[2], tokens[3]]))
    with torch.no_grad():
        assert model.test_step(batch(clips=6))[0].pred_score.shape == (4, )
    one_clip = model.data_preprocessor(batch(clips=1, labels=(0, 1)))
    with pytest.raises(ValueError, match='not a multiple of clips_per_view'):
        model.extract_feat(one_clip['inputs'])


def test_recognizer_with_videomae_backbone_by_config():
    videomae = dict(
        type='VisionTransformer',
        img_size=32,
        patch_size=8,
        embed_dims=32,
        depth=1,
        num_heads=2,
        num_frames=4,
        tubelet_size=2,
        use_mean_pooling=False,  # tokens through the final norm
        return_feat_map=True)
    model = MODELS.build(recognizer_cfg(backbone=videomae))
    model.init_weights()
    data = model.data_preprocessor(batch(labels=(0, 3)), training=True)
    model(**data, mode='loss')['loss_cls'].backward()
    assert all(p.grad is not None for p in model.backbone.parameters()
               if p.requires_grad)
    model.eval()
    with torch.no_grad():
        assert model.test_step(batch())[0].pred_score.shape == (4, )
