"""tools/a2o/convert_vjepa2_checkpoint.py on tiny official-layout files."""
import os.path as osp
import runpy

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.registry import init_default_scope

from mmaction_ext.models import VJEPA2, AttentiveProbeHead
from mmaction_ext.models.utils.vjepa2_checkpoint import (convert_encoder,
                                                         convert_probe)
from mmaction_ext.utils import BadInputError, UserInputError
from tests.vjepa2_reference import (official_encoder, official_probe,
                                    random_official_encoder,
                                    random_official_probe)

init_default_scope('mmaction')
TOOL = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'tools', 'a2o',
    'convert_vjepa2_checkpoint.py')
WIDTH, HEADS, CLASSES = 32, 2, 5


@pytest.fixture(scope='module')
def tool_main():
    return runpy.run_path(TOOL)['main']


@pytest.fixture(scope='module')
def official_files(tmp_path_factory):
    """A tiny ``vitl.pt`` and probe file in the official layout."""
    root = tmp_path_factory.mktemp('official')
    encoder = random_official_encoder(width=WIDTH, depth=2, seed=0)
    ema = random_official_encoder(width=WIDTH, depth=2, seed=3)
    torch.save(
        dict(
            encoder={
                f'module.backbone.{k}': v
                for k, v in encoder.items()
            },
            target_encoder={
                f'module.backbone.{k}': v
                for k, v in ema.items()
            },
            predictor={'module.backbone.mask_tokens.0': torch.zeros(1)},
            opt={},
            scaler=None,
            epoch=10,
            loss=0.5,
            batch_size=4,
            lr=1e-4), root / 'vitl.pt')
    probe = random_official_probe(width=WIDTH, depth=3, num_classes=CLASSES)
    torch.save(
        dict(
            classifiers=[{
                f'module.{k}': v
                for k, v in probe.items()
            }],
            opt=[{}],
            scaler=None,
            epoch=20,
            batch_size=4,
            world_size=1), root / 'probe.pt')
    return dict(
        root=root,
        encoder=str(root / 'vitl.pt'),
        probe=str(root / 'probe.pt'),
        target_state=ema,
        probe_state=probe)


def test_round_trip_matches_official_model(official_files, tool_main,
                                           tmp_path):
    out = tmp_path / 'vjepa2'
    assert tool_main([
        official_files['encoder'],
        str(out), '--num-heads',
        str(HEADS), '--crop-size', '32', '--probe', official_files['probe']
    ]) == 0
    torch.manual_seed(0)
    backbone = VJEPA2(pretrained=str(out)).eval()
    probe_file = torch.load(out / 'attentive_probe.pth', weights_only=True)
    head_args = probe_file['meta']['head']
    assert head_args == dict(
        num_classes=CLASSES,
        in_channels=WIDTH,
        num_heads=HEADS,
        num_self_attention_blocks=3)
    head = AttentiveProbeHead(
        **head_args,
        init_cfg=dict(
            type='Pretrained',
            checkpoint=str(out / 'attentive_probe.pth'),
            prefix='cls_head.'))
    head.init_weights()
    head.eval()
    clips = torch.randn(2, 3, 4, 32, 32)
    with torch.no_grad():
        tokens = backbone(clips)
        scores = head(tokens)
        expected_tokens = official_encoder(
            official_files['target_state'], clips, num_heads=HEADS)
        expected_scores = official_probe(
            official_files['probe_state'], expected_tokens, num_heads=HEADS)
    torch.testing.assert_close(tokens, expected_tokens, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(scores, expected_scores, rtol=1e-4, atol=1e-5)


def test_recognizer_loads_converted_files(official_files, tool_main, tmp_path):
    out = tmp_path / 'vjepa2'
    tool_main([
        official_files['encoder'],
        str(out), '--num-heads',
        str(HEADS), '--checkpoint-key', 'encoder', '--probe',
        official_files['probe']
    ])
    model = MODELS.build(
        dict(
            type='A2ORecognizer',
            backbone=dict(type='VJEPA2', pretrained=str(out)),
            cls_head=dict(
                type='AttentiveProbeHead',
                num_classes=CLASSES,
                in_channels=WIDTH,
                num_heads=HEADS,
                init_cfg=dict(
                    type='Pretrained',
                    checkpoint=str(out / 'attentive_probe.pth'),
                    prefix='cls_head.'))))
    model.init_weights()
    model.eval()
    clips = torch.randn(1, 1, 3, 4, 32, 32)
    with torch.no_grad():
        scores, _ = model.extract_feat(clips, stage='head')
        expected = official_probe(
            official_files['probe_state'],
            official_encoder(
                random_official_encoder(width=WIDTH, depth=2, seed=0),
                clips[0],
                num_heads=HEADS),
            num_heads=HEADS)
    torch.testing.assert_close(scores, expected, rtol=1e-4, atol=1e-5)


def test_converted_directory_config(official_files, tool_main, tmp_path):
    out = tmp_path / 'vjepa2'
    tool_main([official_files['encoder'], str(out), '--num-heads', '2'])
    from transformers import VJEPA2Config
    config = VJEPA2Config.from_pretrained(out)
    assert (config.hidden_size, config.num_hidden_layers,
            config.num_attention_heads, config.patch_size, config.tubelet_size,
            config.crop_size) == (32, 2, 2, 8, 2, 256)
    assert not osp.exists(out / 'attentive_probe.pth')


def test_converter_bad_inputs(official_files, tool_main, tmp_path, capsys):
    with pytest.raises(BadInputError, match="no 'weights' entry"):
        tool_main([
            official_files['encoder'],
            str(tmp_path / 'a'), '--checkpoint-key', 'weights'
        ])
    with pytest.raises(BadInputError, match='--num-heads'):
        tool_main([official_files['encoder'], str(tmp_path / 'b')])
    taken = tmp_path / 'taken'
    taken.mkdir()
    (taken / 'mine.txt').write_text('keep me')
    with pytest.raises(UserInputError, match='not empty'):
        tool_main([official_files['encoder'], str(taken), '--num-heads', '2'])
    assert (taken / 'mine.txt').read_text() == 'keep me'
    with pytest.raises(FileNotFoundError, match='missing.pt'):
        tool_main([str(tmp_path / 'missing.pt'), str(tmp_path / 'c')])
    garbage = tmp_path / 'garbage.pt'
    garbage.write_bytes(b'not a checkpoint')
    with pytest.raises(UserInputError, match='garbage.pt'):
        tool_main([str(garbage), str(tmp_path / 'd')])


def test_conversion_rejects_foreign_or_incomplete_states():
    state = random_official_encoder(width=WIDTH, depth=1)
    state['blocks.0.attn.rel_pos'] = torch.zeros(1)
    with pytest.raises(BadInputError, match='unexpected keys.*rel_pos'):
        convert_encoder(state, num_heads=HEADS, source='x.pt')
    state = random_official_encoder(width=WIDTH, depth=1)
    del state['blocks.0.norm2.weight']
    with pytest.raises(BadInputError, match='x.pt: missing key'):
        convert_encoder(state, num_heads=HEADS, source='x.pt')
    probe = random_official_probe(width=WIDTH)
    del probe['linear.bias']
    with pytest.raises(BadInputError, match='linear.bias'):
        convert_probe(probe, num_heads=HEADS)
    # A stray pos_embed (mentioned by the hub loader) is dropped.
    state = random_official_encoder(width=WIDTH, depth=1)
    state['pos_embed'] = torch.zeros(1, 4, WIDTH)
    config, _ = convert_encoder(state, num_heads=HEADS)
    assert config['num_hidden_layers'] == 1
