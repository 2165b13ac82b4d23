"""ProDA end to end as a user runs it: synthetic data -> tools/train.py
stage 1 -> stage 2 (the config's load_from) -> tools/test.py -> the
Figure 3 plot; and Action Genome / Charades files -> converter -> a short
training run."""
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
STAGE1 = osp.join(ROOT, 'configs/proda/proda_1xb8-20e_synthetic-sg_stage1.py')
STAGE2 = osp.join(ROOT, 'configs/proda/proda_1xb8-6e_synthetic-sg_stage2.py')
ANALYSIS = osp.join(
    ROOT, 'configs/proda/proda_1xb8-6e_synthetic-sg_stage2-analysis.py')
TINY = ('train_cfg.max_epochs=1', 'train_dataloader.batch_size=4',
        'val_dataloader.batch_size=4', 'default_hooks.logger.interval=1')


def run_tool(cwd, *args):
    """A tool in a subprocess, from ``cwd`` (the configs' relative data and
    work_dirs paths resolve there)."""
    result = subprocess.run([sys.executable, *args],
                            cwd=str(cwd),
                            env=dict(os.environ, PYTHONPATH=ROOT),
                            capture_output=True,
                            text=True,
                            timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


def state_dict(path):
    return torch.load(
        path, map_location='cpu', weights_only=False)['state_dict']


@pytest.mark.slow
def test_synthetic_two_stages_test_and_plot(tmp_path):
    tool = osp.join(ROOT, 'tools')
    run_tool(tmp_path, f'{tool}/data/make_synthetic_scene_graphs.py',
             '--num-train', '8', '--num-test', '4')
    run_tool(tmp_path, f'{tool}/train.py', STAGE1, '--seed', '0',
             '--cfg-options', *TINY)
    stage1 = tmp_path / 'work_dirs' / osp.basename(STAGE1)[:-3]
    assert (stage1 / 'best.pth').is_file()
    # stage 2 finds stage 1's best through the config's load_from
    run_tool(tmp_path, f'{tool}/train.py', STAGE2, '--seed', '0',
             '--cfg-options', *TINY)
    stage2 = tmp_path / 'work_dirs' / osp.basename(STAGE2)[:-3]
    best2 = sorted(stage2.glob('best_*.pth'))[-1]
    before, after = state_dict(stage1 / 'best.pth'), state_dict(best2)
    for key, value in before.items():
        assert torch.equal(value, after[key]) != key.startswith('head.'), key

    run_tool(tmp_path, f'{tool}/test.py', STAGE2, str(best2), '--out-metrics',
             'test.json')
    metrics = json.loads((tmp_path / 'test.json').read_text())
    for key in ('a_t_mAP', 'a_m_mAP', 'a_s_mAP'):
        assert 0 <= metrics[f'proda/{key}'] <= 100
    run_tool(tmp_path, f'{tool}/test.py', ANALYSIS, str(best2), '--dump',
             'scores.pkl', '--out-metrics', 'analysis.json')
    metrics = json.loads((tmp_path / 'analysis.json').read_text())
    assert np.isfinite(metrics['proda/loc_mAP/clean/theta0.7/iou0.5'])
    out = run_tool(tmp_path, f'{tool}/proda/plot_frame_weights.py',
                   'scores.pkl', 'fig.png', '--classes',
                   'data/synthetic_scene_graphs/test.pkl')
    assert 'wrote fig.png' in out
    assert (tmp_path / 'fig.png').read_bytes()[:4] == b'\x89PNG'


def test_action_genome_files_to_a_training_run(tmp_path, monkeypatch):
    """Converter output + random node features train and validate."""
    from test_proda_data_converter import run, write_inputs, write_video
    videos = tmp_path / 'videos'
    videos.mkdir()
    for video in ('VID01', 'VID02', 'VID03'):
        write_video(str(videos / f'{video}.mp4'))
    ag_dir, csv_dir = write_inputs(tmp_path)
    out = tmp_path / 'scene_graphs'
    assert run(monkeypatch, ag_dir, csv_dir, str(videos), str(out)) == 0

    cfg = Config.fromfile(
        osp.join(ROOT, 'configs/proda/proda_1xb16-5e_charades-ag_stage1.py'))
    features = dict(
        type='LoadSceneGraphNodeFeatures', source='random', feat_dim=8)
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.update(batch_size=2, num_workers=0, persistent_workers=False)
        # VID03, the only test video, has no action: validate on train
        loader.dataset.ann_file = str(out / 'train.pkl')
        loader.dataset.pipeline[0].num_frames = 4
        loader.dataset.pipeline[1] = features
    cfg.test_dataloader = cfg.val_dataloader
    cfg.model.embed_dims = 16
    cfg.model.encoder.update(
        in_channels=8, embed_dims=16, num_heads=2, ffn_dims=32)
    cfg.model.vgpnn.update(num_layers=1)
    cfg.model.vgpnn.layer_cfg.update(num_heads=2, ffn_dims=32)
    cfg.model.vgpnn.norm_cfg.num_frames = 4
    cfg.model.prompt.num_prompts = 2
    cfg.train_cfg.max_epochs = 1
    cfg.work_dir = str(tmp_path / 'work')
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.val_loop.run()
    assert set(metrics) >= {'proda/a_t_mAP', 'proda/a_m_mAP', 'proda/a_s_mAP'}
    assert all(np.isfinite(v) for v in metrics.values())
    assert (tmp_path / 'work' / 'best.pth').is_file()
