"""Every SAGE config builds (with a tiny CLIP standing in for ViT-B/16) and
says what its name and comment say: stages, datasets, ablation diffs."""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from sage_helpers import save_tiny_clip

from mmaction.registry import MODELS
from tools.sage.count_params import parts

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', 'sage', 'sage_*.py')))
PREDCLS = 'configs/sage/sage_1xb32-30e_vidvrd-predcls.py'
VISUAL = ('encoder', 'head.relation_proj', 'head.object_proj',
          'head.interaction')


@pytest.fixture(scope='module')
def clip_dir(tmp_path_factory):
    return save_tiny_clip(tmp_path_factory.mktemp('clip'), layers=4)


@pytest.fixture(scope='module')
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp('text_cache'))


def load(path):
    return Config.fromfile(osp.join(ROOT, path)).to_dict()


def offline(node, clip_dir, cache_dir):
    """The config with a tiny CLIP (4 text layers), a temporary embedding
    cache and a narrow encoder (tools/sage/count_params.py builds the full
    size)."""
    if isinstance(node, dict):
        node = {k: offline(v, clip_dir, cache_dir) for k, v in node.items()}
        if node.get('type') == 'SAGERelationEncoder':
            node.update(in_dims=16, text_dims=16, embed_dims=16)
        if 'insert_layer' in node:  # the tiny tower has 4 layers; the
            # insertion layers are checked by test_ablation_changes_...
            node['insert_layer'] = min(node['insert_layer'], 3)
        if node.get('type') == 'CLIPTextEncoder':
            node['pretrained'] = clip_dir
        if 'cache_dir' in node:
            node['cache_dir'] = cache_dir
    elif isinstance(node, (list, tuple)):
        node = type(node)(offline(v, clip_dir, cache_dir) for v in node)
    return node


def diff(a, b, prefix=''):
    """Dotted keys whose values differ between two nested dicts."""
    keys = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if isinstance(x, dict) and isinstance(y, dict):
            keys += diff(x, y, f'{prefix}{key}.')
        elif x != y:
            keys.append(prefix + key)
    return keys


@pytest.mark.parametrize('path', CONFIGS)
def test_config_builds_the_model_it_names(path, clip_dir, cache_dir):
    cfg = load(path)
    name = osp.basename(path)[:-3]
    prefix, batch, epochs = re.match(r'(sage_1xb(\d+)-(\d+)e)_', name).groups()
    assert cfg['default_scope'] == 'mmaction'
    assert cfg['train_dataloader']['batch_size'] == int(batch)
    assert cfg['train_cfg']['max_epochs'] == int(epochs)
    assert cfg['optim_wrapper']['optimizer'] == dict(
        type='AdamW', lr=1e-3, weight_decay=0.01)
    init_default_scope('mmaction')
    model = MODELS.build(offline(cfg['model'], clip_dir, cache_dir))
    dataset = 'vidor' if '_vidor' in path else 'vidvrd'
    assert len(
        model.head.predicate_names) == (50 if dataset == 'vidor' else 132)
    layers = 2 if dataset == 'vidor' else 1
    spatial = model.encoder.spatial
    expected = 0 if 'wo-spa' in path else layers
    assert len(getattr(spatial, 'layers', [])) == expected
    expected = 0 if 'wo-tem' in path else layers
    assert len(getattr(model.encoder.temporal, 'layers', [])) == expected
    assert (model.encoder.enhancement is None) == ('wo-se' in path)
    visual_adapter = 'adapter-vis' in path or 'adapter-both' in path
    assert (model.encoder.visual_adapter is not None) == visual_adapter
    if visual_adapter:  # trains with the encoder: in stage 1 only
        assert all(p.requires_grad == ('stage1' in path)
                   for p in model.encoder.visual_adapter.parameters())
    teacher = None if 'synthetic' in path else \
        'blip2' if 'teacher-blip2' in path else 'asmv2'
    for split in ('train', 'val', 'test'):
        dataset_cfg = cfg[f'{split}_dataloader']['dataset']
        assert dataset_cfg.get('teacher') == teacher
        if teacher:
            assert f'/descriptions/{teacher}/' in \
                dataset_cfg['data_prefix']['descriptions']
    if 'fusion-' in path:
        assert model.encoder.enhancement.fusion == path.split(
            'fusion-')[1][:-3]
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    if 'stage1' in path:
        assert not model.head.learn_prompts
        assert not any(n.startswith('head.prompt_learner') for n in trainable)
        assert any(n.startswith('encoder.') for n in trainable)
    else:
        assert all(
            n.startswith(('head.prompt_learner', 'head.text_adapter'))
            for n in trainable)
        assert any(n.startswith('head.text_adapter')
                   for n in trainable) == ('adapter-txt' in path
                                           or 'adapter-both' in path)
        dataset_part = name.split('_')[2].split('-')
        stage1 = f'{prefix}_' + '-'.join(
            p for p in dataset_part
            if p not in ('predcls', 'sgcls', 'sgdet')) + '_stage1'
        for variant in ('wo-se', 'with-se', 'wo-spa', 'wo-tem', 'fusion-sum',
                        'fusion-concat', 'fusion-gated', 'teacher-blip2'):
            if variant in path:
                stage1 += f'-{variant}'
        if 'adapter-vis' in path or 'adapter-both' in path:
            stage1 += '-adapter-vis'  # the visual side, with its adapter
        assert trainable
        assert cfg['load_from'] == \
            f'work_dirs/{stage1}/epoch_{int(epochs)}.pth'
    assert model.head.prompt_learner.num_classes == len(
        model.head.predicate_names)


ABLATIONS = {
    'wo-ce': ['model.head.learn_prompts'],
    'image-cond': [
        'model.head.prompt_learner.style', 'model.head.prompt_learner.type',
        'model.head.prompt_learner.visual_dims'
    ],
    'init-fixed': [
        'model.head.prompt_learner.context_init',
        'model.head.prompt_learner.learnable_context'
    ],
    'init-learnable': ['model.head.prompt_learner.context_init'],
    'init-random': ['model.head.prompt_learner.context_init'],
    'tke32': ['model.head.prompt_learner.tke_hidden'],
    'layer2': ['model.head.prompt_learner.insert_layer'],
    'wo-se': [
        'load_from', 'model.encoder.semantic_enhancement',
        'test_dataloader.dataset.pipeline',
        'train_dataloader.dataset.pipeline', 'val_dataloader.dataset.pipeline'
    ],
    'wo-spa': ['load_from', 'model.encoder.spatial_layers'],
    'wo-tem': ['load_from', 'model.encoder.temporal_layers'],
    'fusion-sum': ['load_from', 'model.encoder.fusion'],
    'fusion-gated': ['load_from', 'model.encoder.fusion'],
    # Table 4: the default is ASMv2's; BLIP-2 reads its own descriptions
    'teacher-asmv2': [],
    'teacher-blip2': [
        'data_prefix.descriptions', 'load_from', 'teacher',
        'test_dataloader.dataset.data_prefix.descriptions',
        'test_dataloader.dataset.teacher',
        'train_dataloader.dataset.data_prefix.descriptions',
        'train_dataloader.dataset.teacher',
        'val_dataloader.dataset.data_prefix.descriptions',
        'val_dataloader.dataset.teacher'
    ],
    # Table 6 (our reading): the default has no adapter
    'adapter-none': [],
    'adapter-vis': ['load_from', 'model.encoder.visual_adapter'],
    'adapter-txt': ['model.head.text_adapter'],
    'adapter-both':
    ['load_from', 'model.encoder.visual_adapter', 'model.head.text_adapter'],
}
STAGE1 = 'configs/sage/sage_1xb32-30e_vidvrd_stage1.py'
STAGE1_VARIANTS = {
    'teacher-blip2':
    [key for key in ABLATIONS['teacher-blip2'] if key != 'load_from'],
    'adapter-vis': ['model.encoder.visual_adapter'],
}


def test_paper_schedule():
    cfg = load(PREDCLS)
    assert cfg['param_scheduler'][0]['milestones'] == [15, 20, 25]
    assert cfg['param_scheduler'][0]['gamma'] == 0.1


@pytest.mark.parametrize('variant', sorted(ABLATIONS))
def test_ablation_changes_only_its_option(variant):
    cfg = load(PREDCLS.replace('.py', f'_{variant}.py'))
    assert diff(load(PREDCLS), cfg) == ABLATIONS[variant]


def test_stages_and_tasks_differ_as_documented():
    stage1 = load('configs/sage/sage_1xb32-30e_vidvrd_stage1.py')
    assert diff(load(PREDCLS), stage1) == [
        'load_from', 'model.frozen_modules', 'model.head.learn_prompts',
        'model.test_cfg.object_labels'
    ]
    assert tuple(load(PREDCLS)['model']['frozen_modules']) == VISUAL
    sgcls = load('configs/sage/sage_1xb32-30e_vidvrd-sgcls.py')
    assert diff(load(PREDCLS), sgcls) == ['model.test_cfg.object_labels']
    sgdet = load('configs/sage/sage_1xb32-30e_vidvrd-sgdet.py')
    changed = diff(load(PREDCLS), sgdet)
    assert 'model.test_cfg.object_labels' in changed
    assert 'test_dataloader.dataset.tracklet_file' in changed
    assert not any(
        key.startswith(('model.encoder', 'model.head', 'train_dataloader'))
        for key in changed)
    assert load(PREDCLS)['model']['encoder']['motion_dims'] == 17
    assert [m['split']
            for m in load(PREDCLS)['test_evaluator']] == ['novel', 'all']


def test_parameter_count_parts_add_up(clip_dir, cache_dir):
    init_default_scope('mmaction')
    model = MODELS.build(offline(load(PREDCLS)['model'], clip_dir, cache_dir))
    counts = parts(model)
    assert sum(counts.values()) == sum(p.numel() for p in model.parameters())
    width, embed = 32, 16  # the tiny CLIP's
    tke = (embed * 64 + 64) + (64 * 8 * width + 8 * width)
    assert counts['learned prompts (context, TKE / meta-net)'] == \
        8 * width + tke
    assert counts['CLIP token-embedding table (frozen)'] == 49408 * width


@pytest.mark.parametrize('variant', sorted(STAGE1_VARIANTS))
def test_stage1_variants_change_only_their_option(variant):
    cfg = load(STAGE1.replace('.py', f'-{variant}.py'))
    assert diff(load(STAGE1), cfg) == STAGE1_VARIANTS[variant]
    assert cfg['load_from'] is None


def test_teacher_configs_read_their_teachers_folders():
    for teacher in ('asmv2', 'blip2'):
        cfg = load(PREDCLS.replace('.py', f'_teacher-{teacher}.py'))
        for split in ('train', 'val', 'test'):
            dataset = cfg[f'{split}_dataloader']['dataset']
            assert dataset['teacher'] == teacher
            assert dataset['data_prefix']['descriptions'] == \
                f'data/vidvrd/descriptions/{teacher}/clip_vit_b16_gt'
    sgdet = load('configs/sage/sage_1xb32-30e_vidvrd-sgdet.py')
    assert sgdet['test_dataloader']['dataset']['data_prefix'][
        'descriptions'] == 'data/vidvrd/descriptions/asmv2/clip_vit_b16_det'


def test_parameter_count_lists_the_adapters(clip_dir, cache_dir):
    init_default_scope('mmaction')
    both = PREDCLS.replace('.py', '_adapter-both.py')
    model = MODELS.build(offline(load(both)['model'], clip_dir, cache_dir))
    counts = parts(model)
    assert sum(counts.values()) == sum(p.numel() for p in model.parameters())
    # bias-free 16 -> 4 -> 16 bottlenecks (reduction 4) on the narrow test
    # encoder's region features and the tiny CLIP's 16-d text embeddings
    assert counts['visual adapter (Table 6)'] == 2 * 16 * 4
    assert counts['text adapter (Table 6)'] == 2 * 16 * 4
    plain = parts(
        MODELS.build(offline(load(PREDCLS)['model'], clip_dir, cache_dir)))
    assert not any('adapter' in name for name in plain)
    for name, value in plain.items():
        assert counts[name] == value, name
