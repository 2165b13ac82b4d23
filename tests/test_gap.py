"""GAP: prompts, pooling, loss equation, zero inference cost, bad configs."""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from gap_helpers import tiny_gap_model, tiny_gcn_stages
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmaction_ext.models.utils import (PARTITIONS, BodyPartPooling,
                                       build_partition)
from mmaction_ext.text import GAPPromptBuilder, TextBank
from mmaction_ext.utils import drop_train_only_args

init_default_scope('mmaction')
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CTRGCN_SYNTH = osp.join(ROOT, 'configs', 'ctrgcn',
                        'ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d.py')


def samples(labels):
    return [ActionDataSample().set_gt_label(label) for label in labels]


def plain_recognizer(cfg):
    """The plain CTR-GCN recognizer on the backbone of GAP config ``cfg``."""
    plain_cfg = Config.fromfile(CTRGCN_SYNTH).model
    plain_cfg.backbone.update(cfg.model.backbone)
    plain_cfg.cls_head.update(in_channels=16)
    return MODELS.build(plain_cfg)


def test_prompts_follow_the_official_composition():
    bank = TextBank('synthetic12')
    parts = build_partition('ntu_joint_4', 25)
    official = GAPPromptBuilder(bank, parts, 'official').part_prompts[4]
    paper = GAPPromptBuilder(bank, parts, 'paper').part_prompts[4]
    head, hand, arm, hip, leg, foot = (
        bank.part(4, p) for p in ('head', 'hand', 'arm', 'hip', 'leg', 'foot'))
    assert official == [
        f'nod head, {head}', f'nod head {hand}, {arm}', f'nod head, {hip}',
        f'nod head, {leg}, {foot}'
    ]
    assert paper[1] == f'nod head, {hand}, {arm}'


def test_synonyms_are_sampled_per_sample_from_label_and_synonyms():
    bank = TextBank('synthetic12')
    builder = GAPPromptBuilder(bank, build_partition('ntu_2', 25))
    torch.manual_seed(0)
    drawn = {builder.sample(torch.tensor([7] * 50))[0][i] for i in range(50)}
    assert drawn <= set(bank.synonyms(7)) and len(drawn) >= 5
    torch.manual_seed(0)
    again = builder.sample(torch.tensor([7] * 50))[0]
    torch.manual_seed(0)
    assert builder.sample(torch.tensor([7] * 50))[0] == again


def test_part_pooling_matches_loops():
    x = torch.randn(2, 2, 3, 4, 25)
    groups = [None, [2, 3, 20], [12, 13]]
    pooled = BodyPartPooling(groups, 25)(x)
    for k, joints in enumerate(groups):
        joints = range(25) if joints is None else joints
        for n in range(2):
            expected = torch.stack([x[n, :, :, :, j]
                                    for j in joints]).mean(dim=(0, 1, 3))
            assert torch.allclose(pooled[n, k], expected, atol=1e-6)


def test_gap_loss_matches_a_straightforward_implementation(minilm_path):
    _, model = tiny_gap_model(minilm_path)
    head = model.gap_head
    feats = torch.randn(6, 2, 16, 4, 25)
    labels = [0, 3, 0, 5, 3, 11]
    torch.manual_seed(3)
    loss = head.loss(feats, samples(labels))['loss_gap']

    torch.manual_seed(3)
    prompts = head.prompts.sample(torch.tensor(labels))
    terms = []
    groups = [p['joints'] for p in build_partition('ntu_joint_4', 25)]
    for k, joints in enumerate([None] + groups):
        joints = list(range(25)) if joints is None else joints
        skeleton = head.projections[k](feats[..., joints].mean(dim=(1, 3, 4)))
        text = torch.stack(
            [head.text_encoder.encode([p])[0] for p in prompts[k]])
        s = torch.nn.functional.normalize(skeleton, dim=1)
        t = torch.nn.functional.normalize(text, dim=1)
        logits = head.logit_scale[k] * s @ t.t()  # official: no exp
        same = torch.tensor([[float(a == b) for b in labels] for a in labels])
        target = torch.softmax(10 * same, dim=1)
        kl_st = (target * (target.log() - logits.log_softmax(1))).sum() / 6
        kl_ts = (target.t() *
                 (target.t().log() - logits.t().log_softmax(1))).sum() / 6
        terms.append((kl_st + kl_ts) / 2)
    expected = 0.8 * torch.stack(terms).mean()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-4)


def test_logit_scale_modes(minilm_path):
    _, exp_model = tiny_gap_model(minilm_path, logit_scale='exp')
    assert torch.allclose(exp_model.gap_head.scales(),
                          torch.full((5, ), 1 / 0.07))
    _, fixed = tiny_gap_model(
        minilm_path, logit_scale='fixed', temperature=0.1)
    assert torch.allclose(fixed.gap_head.scales(), torch.full((5, ), 10.))
    assert 'logit_scale' not in dict(fixed.gap_head.named_parameters())


def test_training_step_updates_backbone_text_encoder_and_scales(minilm_path):
    _, model = tiny_gap_model(minilm_path)
    losses = model(
        torch.randn(4, 1, 2, 8, 25, 3), samples([0, 1, 0, 2]), mode='loss')
    assert set(losses) >= {'loss_cls', 'loss_gap'}
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    head = model.gap_head
    assert head.logit_scale.grad is not None
    assert head.text_encoder.model.embeddings.word_embeddings.weight.grad \
        is not None
    assert model.backbone.data_bn.weight.grad is not None


def test_inference_model_is_exactly_the_plain_recognizer(minilm_path):
    cfg, trained = tiny_gap_model(minilm_path)
    state = trained.state_dict()
    assert any(k.startswith('gap_head.') for k in state)

    test_cfg = cfg.model.copy()
    assert drop_train_only_args(test_cfg) == ['gap_head']
    inference = MODELS.build(test_cfg)
    inference.load_state_dict(state, strict=True)  # text keys are skipped

    plain = plain_recognizer(cfg)
    plain.load_state_dict(
        {
            k: v
            for k, v in state.items() if not k.startswith('gap_head.')
        },
        strict=True)

    def count(m):
        return sum(p.numel() for p in m.parameters())

    assert inference.gap_head is None
    assert count(inference) == count(plain) < count(trained)
    inference.eval(), plain.eval()
    x = torch.randn(3, 1, 2, 8, 25, 3)
    with torch.no_grad():
        ours = inference(x, samples([0, 1, 2]), mode='predict')
        theirs = plain(x, samples([0, 1, 2]), mode='predict')
    for a, b in zip(ours, theirs):
        assert torch.equal(a.pred_score, b.pred_score)


def test_predict_never_runs_the_text_encoder(minilm_path, monkeypatch):
    _, model = tiny_gap_model(minilm_path)

    def forbidden(*args, **kwargs):
        raise AssertionError('text encoder ran at inference')

    monkeypatch.setattr(model.gap_head.text_encoder, 'encode', forbidden)
    model.eval()
    with torch.no_grad():
        model(torch.randn(2, 1, 2, 8, 25, 3), samples([0, 1]), mode='predict')


@pytest.mark.slow
def test_strip_text_branch_tool_loads_strictly_into_plain_config(
        minilm_path, tmp_path):
    cfg, trained = tiny_gap_model(minilm_path)
    src, dst = str(tmp_path / 'gap.pth'), str(tmp_path / 'plain.pth')
    torch.save(
        dict(
            meta=dict(epoch=3),
            state_dict=trained.state_dict(),
            optimizer=dict(state={}, param_groups=[])), src)
    subprocess.run(
        [sys.executable, 'tools/gap/strip_text_branch.py', src, dst],
        cwd=ROOT,
        check=True,
        env=dict(PYTHONPATH=ROOT, PATH=''))
    stripped = torch.load(dst, weights_only=True)
    assert set(stripped) == {'meta', 'state_dict'}
    plain_recognizer(cfg).load_state_dict(stripped['state_dict'], strict=True)


@pytest.mark.parametrize('change,error,message', [
    (dict(num_classes=13), ValueError, 'gap_head.num_classes is 13 but '
     'cls_head.num_classes is 12'),
    (dict(text_bank='ntu120'), ValueError, 'ntu120.yaml: the model has 12 '
     'classes but the bank describes 120'),
    (dict(text_bank='nwucla'), ValueError, 'the model has 12 classes but '
     'the bank describes only 10'),
    (dict(partition=[dict(name='x', texts=['elbow'], joints=[1])]), Exception,
     'elbow'),
    (dict(partition=[dict(name='x', texts=['head'], joints=[3, 30])]),
     ValueError, r'joint indices \[30\] outside the layout of 25'),
    (dict(partition='coco_4'), ValueError, 'for 17 joints, the backbone '
     'layout has 25'),
])
def test_bad_gap_configs_fail_at_build_time(minilm_path, change, error,
                                            message):
    with pytest.raises(error, match=message):
        tiny_gap_model(minilm_path, **change)


def test_text_encoder_lr_multiplier_via_paramwise_cfg(minilm_path):
    from mmengine.optim import build_optim_wrapper
    _, model = tiny_gap_model(minilm_path)
    wrapper = build_optim_wrapper(
        model,
        dict(
            optimizer=dict(type='SGD', lr=0.1, momentum=0.9),
            paramwise_cfg=dict(
                custom_keys={'gap_head.text_encoder': dict(lr_mult=0.1)})))
    text_params = {id(p) for p in model.gap_head.text_encoder.parameters()}
    for group in wrapper.optimizer.param_groups:
        expected = 0.01 if id(group['params'][0]) in text_params else 0.1
        assert group['lr'] == pytest.approx(expected)


@pytest.mark.slow
def test_gap_trains_and_tests_through_the_tools(tiny_config, tmp_path,
                                                minilm_path):
    from test_runner_e2e import run_cli
    config = tiny_config(
        base='configs/gap/gap_ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d.py',
        model_extra=f""",
    gap_head=dict(
        in_channels=16,
        text_encoder=dict(model_path={minilm_path!r}))""",
        extra='train_cfg = dict(max_epochs=1)\n')
    work_dir = str(tmp_path / 'work')
    output = run_cli(
        [sys.executable, 'tools/train.py', config, '--work-dir', work_dir])
    assert 'loss_gap' in output
    checkpoint = torch.load(
        osp.join(work_dir, 'epoch_1.pth'), weights_only=True)
    assert any(k.startswith('gap_head.') for k in checkpoint['state_dict'])
    output = run_cli([
        sys.executable, 'tools/test.py', config,
        osp.join(work_dir, 'epoch_1.pth'), '--work-dir', work_dir
    ])
    assert "without the training-only ['gap_head']" in output
    assert 'acc/top1' in output and 'unexpected key' not in output


def coco_gcn(backbone_type, mode='spatial', **extra):
    """A tiny MMAction2 GCN backbone config on the COCO layout."""
    return dict(
        type=backbone_type,
        graph_cfg=dict(layout='coco', mode=mode),
        **tiny_gcn_stages(),
        **extra)


@pytest.mark.parametrize('backbone', [
    coco_gcn('STGCN', mode='stgcn_spatial'),
    coco_gcn(
        'STGCN', gcn_adaptive='init', gcn_with_res=True, tcn_type='mstcn'),
    coco_gcn('AAGCN'),
    coco_gcn('CTRGCN'),
])
def test_any_mmaction2_gcn_backbone_works(backbone, minilm_path):
    model = MODELS.build(
        dict(
            type='GAPRecognizer',
            backbone=dict(backbone, in_channels=3),
            cls_head=dict(type='GCNHead', num_classes=12, in_channels=16),
            gap_head=dict(
                type='GAPHead',
                in_channels=16,
                text_bank='synthetic12',
                partition='coco_6',
                text_encoder=dict(
                    type='HFTextEncoder', model_path=minilm_path,
                    frozen=True))))
    losses = model(
        torch.randn(2, 1, 2, 8, 17, 3), samples([0, 5]), mode='loss')
    assert torch.isfinite(losses['loss_gap'])
    losses['loss_gap'].backward()
    assert model.gap_head.projections[3].weight.grad is not None


@pytest.mark.slow
def test_documented_dist_train_ntu120_config_on_cpu(tiny_skeletons, tmp_path):
    """`tools/dist_train.sh configs/gap/ctrgcn_ntu120.py 2` on 2 CPU procs.

    The NTU-format pkl is the synthetic one (its labels are valid NTU120
    labels), the CLIP weights a small randomly initialised text tower saved
    in OpenAI's format; sizes shrink through --cfg-options only.
    """
    from clip_reference import CLIPTextTransformer
    from test_runner_e2e import run_distributed

    torch.manual_seed(0)
    tower = CLIPTextTransformer(
        vocab_size=49408,
        context_length=77,
        width=64,
        heads=1,
        layers=2,
        embed_dims=32,
        act='quick_gelu')
    clip_path = str(tmp_path / 'tiny-clip.pt')
    torch.save(tower.state_dict(), clip_path)
    work_dir = str(tmp_path / 'work')
    loader = ['batch_size=4', 'num_workers=0', 'persistent_workers=False']
    options = [
        f'train_dataloader.dataset.ann_file={tiny_skeletons["nturgb+d"]}',
        f'val_dataloader.dataset.ann_file={tiny_skeletons["nturgb+d"]}',
        f'test_dataloader.dataset.ann_file={tiny_skeletons["nturgb+d"]}',
        f'model.gap_head.text_encoder.pretrained={clip_path}',
        'model.backbone.base_channels=8', 'model.backbone.num_stages=3',
        'model.backbone.inflate_stages=[3]', 'model.backbone.down_stages=[3]',
        'model.cls_head.in_channels=16', 'model.gap_head.in_channels=16',
        'train_cfg.max_epochs=1'
    ] + [
        f'{split}_dataloader.{opt}' for split in ('train', 'val', 'test')
        for opt in loader
    ]
    output = run_distributed([
        'bash', 'tools/dist_train.sh', 'configs/gap/ctrgcn_ntu120.py', '2',
        '--work-dir', work_dir, '--cfg-options', *options
    ])
    assert 'Distributed training: True' in output
    assert 'loss_gap' in output and 'acc/top1' in output
    # 24 training clips, 4 per process, 2 processes: 3 iterations.
    assert 'Epoch(train) [1][3/3]' in output
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))


def test_nwucla_config_pipeline_and_gap_head(minilm_path):
    from mmengine.dataset import Compose

    from mmaction.registry import TRANSFORMS
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'gap',
                 'gap_ctrgcn_8xb8-bone-110e_nwucla-3d.py'))
    pipeline = Compose([
        TRANSFORMS.build(t)
        for t in cfg.train_dataloader.dataset.dataset.pipeline
    ])
    rng = np.random.default_rng(0)
    packed = pipeline(
        dict(
            keypoint=rng.normal(size=(1, 37, 20, 3)).astype(np.float32),
            label=3,
            total_frames=37,
            frame_dir='a04_s01_e00_v01'))
    assert packed['inputs'].shape == (1, 1, 52, 20, 3)
    cfg.model.backbone.update(tiny_gcn_stages())
    cfg.model.cls_head.in_channels = 16
    cfg.model.gap_head.in_channels = 16
    cfg.model.gap_head.text_encoder = dict(
        type='HFTextEncoder', model_path=minilm_path, frozen=True)
    model = MODELS.build(cfg.model)
    batch = model.data_preprocessor(
        dict(
            inputs=[packed['inputs']] * 2,
            data_samples=[packed['data_samples']] * 2), True)
    losses = model(**batch, mode='loss')
    assert torch.isfinite(losses['loss_gap'])
    assert model.gap_head.loss_weight == 1.0


@pytest.mark.parametrize('name', sorted(PARTITIONS))
def test_every_partition_fits_its_layout(name):
    preset = PARTITIONS[name]
    parts = build_partition(name, preset['num_joints'])
    assert len(parts) in (2, 4, 6)
    texts = [t for p in parts for t in p['texts']]
    assert sorted(texts) == sorted(['head', 'hand', 'arm', 'hip', 'leg',
                                    'foot'])


def test_text_embeddings_config_builds_the_same_head(minilm_path):
    torch.manual_seed(0)
    cfg, old_style = tiny_gap_model(minilm_path)
    head = cfg.model.gap_head
    head.text_embeddings = dict(
        type='ClassTextEmbeddings',
        text_bank=head.pop('text_bank'),
        text_encoder=head.pop('text_encoder'))
    torch.manual_seed(0)
    new_style = MODELS.build(cfg.model)
    old_state, new_state = old_style.state_dict(), new_style.state_dict()
    assert list(old_state) == list(new_state)
    assert any(k.startswith('gap_head.text_encoder.') for k in new_state)
    assert all(torch.equal(old_state[k], new_state[k]) for k in old_state)
    assert new_style.gap_head.text_embeddings.bank.name == 'synthetic12'
    head.text_embeddings.cache_dir = 'anywhere'
    with pytest.raises(ValueError, match='online mode'):
        MODELS.build(cfg.model)
