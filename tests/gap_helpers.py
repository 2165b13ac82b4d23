"""Tiny GAP models for the tests (not part of the package)."""
import os.path as osp

from mmaction.registry import MODELS
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
GAP_SYNTH = osp.join(ROOT, 'configs', 'gap',
                     'gap_ctrgcn_1xb8-joint-16e_synthetic-ntu25-3d.py')


def tiny_gcn_stages():
    """Three GCN stages of 8, 8 and 16 channels (a new dict each call)."""
    return dict(
        base_channels=8, num_stages=3, inflate_stages=[3], down_stages=[3])


def tiny_gap_model(minilm_path, **head):
    """The synthetic GAP config on the tiny backbone, and its model.

    Args:
        minilm_path (str): Local MiniLM folder for the text encoder.
        **head: Overrides of ``model.gap_head``.

    Returns:
        tuple: The config and the built ``GAPRecognizer``.
    """
    cfg = Config.fromfile(GAP_SYNTH)
    cfg.model.backbone.update(tiny_gcn_stages())
    cfg.model.cls_head.in_channels = 16
    cfg.model.gap_head.update(in_channels=16, **head)
    cfg.model.gap_head.text_encoder.model_path = minilm_path
    return cfg, MODELS.build(cfg.model)
