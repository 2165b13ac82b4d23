"""Every shipped config parses through its mmaction:: bases and builds, is
named as MMAction2 names configs, and is indexed by its folder's metafile."""
import copy
import functools
import glob
import os.path as osp
import re

import mmengine
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmaction.registry import MODELS
from mmaction_ext.utils import drop_train_only_args

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    p for p in glob.glob(
        osp.join(ROOT, 'configs', '**', '*.py'), recursive=True)
    if '_base_' not in p)


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.relpath(p, ROOT) for p in CONFIGS])
def test_config_builds_its_model(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmaction'
    assert 'mmaction_ext' in cfg.custom_imports['imports']
    init_default_scope('mmaction')
    if cfg.model.type == 'SAGEDetector':
        return  # built with a tiny CLIP in test_sage_configs.py
    # Text encoder weights (CLIP) are not available offline: build the
    # test-time model here; GAP heads are built in test_gap.py.
    drop_train_only_args(cfg.model)
    dataset = cfg.train_dataloader.dataset.get('dataset',
                                               cfg.train_dataloader.dataset)
    joint_texts = None
    if cfg.model.get('action_texts'):
        # the declared texts fit the data (no encoder is needed to check)
        texts = MODELS.build(
            dict(cfg.model.action_texts, num_classes=dataset['num_classes']))
        assert len(texts) == dataset['num_classes']
        joint_texts = MODELS.build(cfg.model.joint_texts)
    if 'text_priors' in cfg.model:  # encoders are not in a fresh checkout
        cfg.model.update(text_priors=None, joint_texts=None, action_texts=None)
        # without priors the class count must be given explicitly
        cfg.model.head.setdefault('num_classes', dataset['num_classes'])
    backbone = cfg.model.get('backbone', {})
    if backbone.get('type') == 'VJEPA2' and backbone.get('pretrained'):
        # no V-JEPA 2 weights offline: the default (ViT-L) architecture,
        # built without memory on the meta device
        backbone.update(pretrained=None, config=dict())
        with torch.device('meta'):
            model = MODELS.build(cfg.model)
    else:
        model = MODELS.build(cfg.model)
    head = getattr(model, 'cls_head', None) or getattr(model, 'roi_head',
                                                       None) or model.head
    assert head.num_classes == dataset['num_classes']
    if joint_texts is not None:
        assert len(joint_texts) == model.backbone.tjg.shape[0]


def test_registry_roundtrip_through_mmaction_base(tmp_path):
    config = tmp_path / 'user_project.py'
    config.write_text(
        "_base_ = 'mmaction::skeleton/stgcn/"
        "stgcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-3d.py'\n"
        "custom_imports = dict(imports=['mmaction_ext'])\n"
        'model = dict(backbone=dict(_delete_=True, type="CTRGCN", '
        'graph_cfg=dict(layout="nturgb+d")))\n')
    cfg = Config.fromfile(str(config))
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    assert type(model.backbone).__name__ == 'CTRGCN'
    assert type(model.backbone).__module__.startswith('mmaction_ext.')
    assert type(model).__name__ == 'RecognizerGCN'


# MMAction2's naming scheme:
# <model>[_<backbone>]_<gpus>xb<batch>-[<stream>-][u<frames>-]<epochs>e_
# <dataset>[_<variant>]
NAME = re.compile(
    r'^(?P<model>(?:gap_)?[a-z0-9]+)(?:_(?P<backbone>[a-z0-9-]+))?'
    r'_(?P<gpus>\d+)xb(?P<batch>\d+)'
    r'-(?:(?P<stream>joint|bone|joint-motion|bone-motion)-)?'
    r'(?:u\d+-)?(?P<epochs>\d+)e_(?P<dataset>[a-z0-9-]+)'
    r'(?:_(?P<variant>[a-z0-9-]+))?\.py$')
# short names users type, each a one-line config on its full name
SHORT_NAMES = {
    'configs/gap/ctrgcn_ntu120.py':
    'configs/gap/gap_ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py',
    'configs/gap/baselines/ctrgcn_ntu120.py':
    'configs/gap/baselines/ctrgcn_8xb25-joint-110e_ntu120-xsub-3d.py',
}
NAMED = [p for p in CONFIGS if osp.relpath(p, ROOT) not in SHORT_NAMES]
FOLDERS = sorted({osp.dirname(p) for p in CONFIGS})


@functools.lru_cache(maxsize=None)
def resolved(path):
    """The config as the runner sees it, as plain nested dicts."""
    return Config.fromfile(osp.join(ROOT, path)).to_dict()


@pytest.mark.parametrize(
    'path', NAMED, ids=[osp.relpath(p, ROOT) for p in NAMED])
def test_config_name_states_what_the_config_does(path):
    match = NAME.match(osp.basename(path))
    assert match, f'{osp.basename(path)} does not follow {NAME.pattern}'
    name = match.groupdict()
    cfg = resolved(osp.relpath(path, ROOT))
    gpus, batch = int(name['gpus']), int(name['batch'])
    assert cfg['train_dataloader']['batch_size'] == batch
    # MMAction2 counts passes over the data (its ST-GCN's 80e = 16 epochs of
    # a 5x RepeatDataset), the official GAP NW-UCLA recipe its own epochs
    epochs = cfg['train_cfg']['max_epochs']
    times = cfg['train_dataloader']['dataset'].get('times', 1)
    assert int(name['epochs']) in (epochs, epochs * times)
    if 'auto_scale_lr' in cfg:
        assert cfg['auto_scale_lr']['base_batch_size'] == gpus * batch
    has_gap = cfg['model'].get('gap_head') is not None
    assert name['model'].startswith('gap_') == has_gap
    stream = cfg['model'].get('data_preprocessor', {})
    if stream.get('type') == 'SkeletonStreamPreprocessor':
        expected = 'bone' if stream['k_hop'] == 1 else 'joint'
        if stream.get('motion'):
            expected += '-motion'
        assert name['stream'] == expected


@pytest.mark.parametrize('short, full', sorted(SHORT_NAMES.items()))
def test_short_name_is_the_full_config(short, full):
    assert resolved(short) == resolved(full)


BASELINES = sorted(osp.relpath(p, ROOT) for p in NAMED if '/baselines/' in p)


@pytest.mark.parametrize('baseline', BASELINES)
def test_baseline_is_its_gap_config_without_the_text_branch(baseline):
    gap = 'configs/gap/gap_' + osp.basename(baseline)
    expected = copy.deepcopy(resolved(gap))
    expected['model']['gap_head'] = None
    assert resolved(baseline) == expected


GAP_STREAMS = sorted(
    osp.relpath(p, ROOT) for p in NAMED
    if osp.dirname(p).endswith('configs/gap')
    and NAME.match(osp.basename(p))['stream'] not in (None, 'joint'))


@pytest.mark.parametrize('stream', GAP_STREAMS)
def test_gap_stream_differs_from_its_joint_config_only_in_the_stream(stream):
    stream_name = NAME.match(osp.basename(stream))['stream']
    joint = stream.replace(f'-{stream_name}-', '-joint-')
    expected = copy.deepcopy(resolved(joint))
    cfg = resolved(stream)
    model = expected['model']
    model['data_preprocessor'] = cfg['model']['data_preprocessor']
    model['gap_head']['partition'] = cfg['model']['gap_head']['partition']
    assert cfg == expected
    assert cfg['model']['data_preprocessor'] != \
        resolved(joint)['model']['data_preprocessor']


@pytest.mark.parametrize(
    'folder', FOLDERS, ids=[osp.relpath(p, ROOT) for p in FOLDERS])
def test_every_config_folder_has_readme_and_metafile(folder):
    assert osp.isfile(osp.join(folder, 'README.md'))
    meta = mmengine.load(osp.join(folder, 'metafile.yml'))
    collections = {c['Name'] for c in meta['Collections']}
    for collection in meta['Collections']:
        assert osp.isfile(osp.join(ROOT, collection['README']))
    listed = [m['Config'] for m in meta['Models']]
    assert len(set(listed)) == len(listed)
    here = sorted(
        osp.relpath(p, ROOT) for p in NAMED if osp.dirname(p) == folder)
    assert sorted(listed) == here, 'metafile.yml must list every config'
    for model in meta['Models']:
        assert model['In Collection'] in collections
        assert model['Name'] == osp.basename(model['Config'])[:-3]
        name = NAME.match(osp.basename(model['Config']))
        assert model['Metadata']['Batch Size'] == int(name['batch'])
        assert model['Metadata']['Epochs'] == int(name['epochs'])
    index = mmengine.load(osp.join(ROOT, 'model-index.yml'))['Import']
    assert osp.relpath(osp.join(folder, 'metafile.yml'), ROOT) in index
