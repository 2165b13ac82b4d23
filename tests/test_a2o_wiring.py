"""The A2O dataset configs, the map cache layout and the ICRL agent fit."""
import os
import os.path as osp

import pytest
from mmengine.config import Config

from mmaction_ext.agents.icrl_steps import apply_object_classes
from mmaction_ext.open_vocab.map_cache import (find_set_dir, set_key,
                                               write_meta)
from mmaction_ext.utils.errors import BadInputError

CONFIGS = osp.join(osp.dirname(osp.dirname(__file__)), 'configs', 'a2o')


def make_set(root, classes, detector='owlv2@tiny'):
    set_dir = osp.join(root, set_key(classes, detector))
    os.makedirs(set_dir)
    write_meta(set_dir, classes, detector)
    return set_dir


def test_find_set_dir_from_root_or_set_folder(tmp_path):
    root = str(tmp_path)
    cats = make_set(root, ['cat', 'dog'])
    make_set(root, ['dog', 'cat'])  # another order is another set
    assert find_set_dir(root, ['cat', 'dog']) == cats
    assert find_set_dir(cats, ['cat', 'dog']) == cats


def test_find_set_dir_errors(tmp_path):
    root = str(tmp_path)
    with pytest.raises(FileNotFoundError, match='no likelihood maps'):
        find_set_dir(root, ['cat'])
    with pytest.raises(FileNotFoundError, match='does not exist'):
        find_set_dir(osp.join(root, 'missing'), ['cat'])
    make_set(root, ['cat'], 'owlv2@a')
    make_set(root, ['cat'], 'owlv2@b')
    with pytest.raises(BadInputError, match='several detectors'):
        find_set_dir(root, ['cat'])


@pytest.mark.parametrize('name, concat',
                         [('a2o_1xb4-5e_sthv2.py', False),
                          ('a2o_1xb8-20e_multisports_no-compression.py', True)])
def test_icrl_sets_classes_and_channels(name, concat):
    cfg = Config.fromfile(osp.join(CONFIGS, name))
    classes = ['ball', 'hand', 'net']
    apply_object_classes(cfg, classes, 'maps/set')
    for pipeline in (cfg.train_pipeline, cfg.val_pipeline,
                     cfg.test_pipeline):
        loads = [t for t in pipeline if t['type'] == 'LoadLikelihoodMaps']
        assert len(loads) == 1
        assert loads[0]['classes'] == classes
        assert loads[0]['maps_dir'] == 'maps/set'
    assert cfg.model.adapter.in_channels == 3
    if concat:
        assert cfg.model.backbone.in_channels == 6
    else:
        assert cfg.model.backbone.get('in_channels', 3) == 3
