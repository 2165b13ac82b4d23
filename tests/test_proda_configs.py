"""ProDA configs: they parse, build, and differ from their base only as
their names say."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmaction.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
FOLDER = osp.join(ROOT, 'configs', 'proda')
# the scene-graph configs (the folder also holds the SportsHHI variant's)
CONFIGS = sorted(
    p for p in glob.glob(osp.join(FOLDER, '*.py'))
    if Config.fromfile(p).model.type == 'ProDARecognizer')
STAGE1 = osp.join(FOLDER, 'proda_1xb16-5e_charades-ag_stage1.py')


def load(name):
    return Config.fromfile(osp.join(FOLDER, name)).to_dict()


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds(path):
    cfg = Config.fromfile(path)
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    train, test = (cfg[f'{s}_dataloader'].dataset.pipeline
                   for s in ('train', 'test'))
    specs = [t for t in train if t['type'] == 'SampleActionSpecifications']
    assert specs[0]['protocol'] == 'recipe'
    assert specs[0]['num_classes'] == model.num_classes
    test_specs = [t for t in test
                  if t['type'] == 'SampleActionSpecifications'][0]
    assert test_specs['protocol'] == (
        'gt_recipe' if 'analysis' in path else 'partition')
    assert train[-1]['algorithm_keys'] == test[-1]['algorithm_keys']
    assert cfg.optim_wrapper.constructor == \
        'TrainableParamsOptimWrapperConstructor'


def test_every_scene_graph_config_is_collected():
    assert len(CONFIGS) >= 14


def test_stage2_is_stage1_with_frozen_body():
    one, two = load(STAGE1), load('proda_1xb16-5e_charades-ag_stage2.py')
    assert two['model'].pop('trainable') == ('head', )
    assert two['model'] == one['model']
    assert two['optim_wrapper']['optimizer']['lr'] == 1e-4
    assert one['optim_wrapper']['optimizer']['lr'] == 2e-4
    assert two['load_from']


@pytest.mark.parametrize('name, key, value', [
    ('simple-prompt', 'prompt', dict(type='SimplePrompt')),
    ('cls-loss-only', 'loss_dis', None),
    ('dis-only', 'loss_rec', None),
    ('rec-only', 'loss_dis', None),
])
def test_ablation_is_a_one_key_diff(name, key, value):
    one = load(STAGE1)
    ablation = load(f'proda_1xb16-5e_charades-ag_stage1-{name}.py')
    assert ablation['model'][key] == value
    if name == 'cls-loss-only':
        assert ablation['model'].pop('loss_rec') is None
        one['model'].pop('loss_rec')
    ablation['model'].pop(key)
    one['model'].pop(key)
    assert ablation == one


@pytest.mark.parametrize('name, norm', [('layernorm', 'NodeLayerNorm'),
                                        ('batchnorm', 'FrameBatchNorm'),
                                        ('graphnorm', 'GraphNorm')])
def test_norm_ablations(name, norm):
    cfg = load(f'proda_1xb16-5e_charades-ag_stage1-{name}.py')
    assert cfg['model']['vgpnn']['norm_cfg']['type'] == norm


def test_package_import_registers_every_proda_module():
    """`custom_imports=['mmaction_ext']` alone must register the modules
    the configs name (a fresh interpreter: no test imported them)."""
    import subprocess
    import sys
    names = ('ProDARecognizer', 'ProDAHead', 'PearsonDisentanglementLoss',
             'MarginReconstructionLoss', 'DualAIEncoder', 'VGPNN',
             'GraphReadout', 'GateFusion', 'DynamicPromptModule')
    code = ('import mmaction_ext\n'
            'from mmaction.registry import MODELS\n'
            f'print([n for n in {names!r} if n not in MODELS.module_dict])')
    out = subprocess.run([sys.executable, '-c', code],
                         cwd=ROOT,
                         capture_output=True,
                         text=True,
                         check=True).stdout
    assert out.strip() == '[]'
