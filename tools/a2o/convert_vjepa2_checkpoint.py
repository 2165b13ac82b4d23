"""Convert official V-JEPA 2 checkpoint files for the A2O recognizer.

Encoder: an official pretraining checkpoint (e.g. ``vitl.pt`` from the
facebookresearch/vjepa2 README) becomes a transformers ``VJEPA2Model``
directory (``config.json`` + ``model.safetensors``, encoder weights only)
that the ``VJEPA2`` backbone loads with ``pretrained=OUT_DIR``. The
architecture is read from the weights; the number of attention heads comes
from the width of the official models (or ``--num-heads``).

Probe (optional): an official attentive-probe file (e.g.
``ssv2-vitl-16x2x3.pt``) becomes ``OUT_DIR/attentive_probe.pth``, an
MMEngine checkpoint with ``cls_head.*`` keys of ``AttentiveProbeHead``; its
``meta`` holds the head arguments. Load it with the head's
``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='cls_head.')``.

Usage:
    python tools/a2o/convert_vjepa2_checkpoint.py vitl.pt OUT_DIR \\
        [--checkpoint-key target_encoder] [--crop-size 256] \\
        [--probe ssv2-vitl-16x2x3.pt [--probe-index 0]]
"""
import argparse
import os
import os.path as osp
import sys
from typing import Optional, Sequence

import torch

from mmaction_ext.models.utils.vjepa2_checkpoint import (convert_encoder,
                                                         convert_probe)
from mmaction_ext.utils import (BadInputError, CorruptFileError,
                                UserInputError, run_tool)

PROBE_FILE = 'attentive_probe.pth'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='official encoder file (vitl.pt)')
    parser.add_argument('out_dir', help='new transformers directory')
    parser.add_argument(
        '--checkpoint-key',
        default='target_encoder',
        help='entry holding the encoder (the probe evaluation uses '
        'target_encoder, torch.hub uses encoder)')
    parser.add_argument(
        '--num-heads', type=int, help='attention heads (default: by width)')
    parser.add_argument(
        '--crop-size',
        type=int,
        default=256,
        help='input size recorded in config.json (default: 256)')
    parser.add_argument(
        '--frames-per-clip',
        type=int,
        default=16,
        help='clip length recorded in config.json (default: 16)')
    parser.add_argument('--probe', help='official attentive-probe file')
    parser.add_argument(
        '--probe-index',
        type=int,
        default=0,
        help='which entry of the probe file\'s classifiers (default: 0)')
    return parser.parse_args(argv)


def load_file(path: str) -> dict:
    """``torch.load`` of an official file, tensors and plain data only."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such file')
    try:
        content = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # noqa: BLE001 - reported with the file name
        raise CorruptFileError(f'{path}: not a readable torch checkpoint '
                               f'({type(err).__name__}: {err})') from err
    if not isinstance(content, dict):
        raise BadInputError(f'{path}: expected a dict, got '
                            f'{type(content).__name__}')
    return content


def pick(content: dict, key: str, path: str):
    if key not in content:
        raise BadInputError(f'{path}: no {key!r} entry (has '
                            f'{sorted(map(str, content))})')
    return content[key]


def check_out_dir(out_dir: str, inputs: Sequence[str]) -> None:
    if osp.exists(out_dir) and os.listdir(out_dir):
        raise UserInputError(
            f'{out_dir} exists and is not empty; choose a new directory')
    for path in inputs:
        if path and osp.abspath(path).startswith(
                osp.abspath(out_dir) + os.sep):
            raise UserInputError(f'{path} lies inside {out_dir}')


def write_encoder(config_kwargs: dict, state: dict, out_dir: str) -> None:
    """Check the weights fit ``VJEPA2Model``'s encoder, then save them."""
    from safetensors.torch import save_file
    from transformers import VJEPA2Config
    from transformers.models.vjepa2.modeling_vjepa2 import VJEPA2Encoder
    config = VJEPA2Config(**config_kwargs)
    encoder = VJEPA2Encoder(config)
    encoder_state = {k[len('encoder.'):]: v for k, v in state.items()}
    try:
        encoder.load_state_dict(encoder_state, strict=True)
    except RuntimeError as err:
        raise BadInputError(f'converted weights do not fit the encoder '
                            f'architecture {config_kwargs}: {err}') from err
    os.makedirs(out_dir, exist_ok=True)
    config.save_pretrained(out_dir)
    save_file({
        k: v.contiguous()
        for k, v in state.items()
    },
              osp.join(out_dir, 'model.safetensors'),
              metadata=dict(format='pt'))


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    check_out_dir(args.out_dir, [args.checkpoint, args.probe])
    content = load_file(args.checkpoint)
    encoder = pick(content, args.checkpoint_key, args.checkpoint)
    config, state = convert_encoder(
        dict(encoder), args.num_heads, source=args.checkpoint)
    config.update(
        crop_size=args.crop_size, frames_per_clip=args.frames_per_clip)
    head_state = None
    if args.probe:
        classifiers = pick(load_file(args.probe), 'classifiers', args.probe)
        if not 0 <= args.probe_index < len(classifiers):
            raise BadInputError(f'{args.probe}: --probe-index '
                                f'{args.probe_index} but it holds '
                                f'{len(classifiers)} classifiers')
        head, head_state = convert_probe(
            dict(classifiers[args.probe_index]),
            args.num_heads,
            source=args.probe)
        if head['in_channels'] != config['hidden_size']:
            raise BadInputError(
                f'{args.probe}: probe width {head["in_channels"]} differs '
                f'from the encoder width {config["hidden_size"]}')
    write_encoder(config, state, args.out_dir)
    print(f'{args.out_dir}: V-JEPA 2 encoder, {config["num_hidden_layers"]} '
          f'layers, width {config["hidden_size"]}, '
          f'{config["num_attention_heads"]} heads')
    if head_state is not None:
        probe_path = osp.join(args.out_dir, PROBE_FILE)
        torch.save(
            dict(
                meta=dict(head=head, source=osp.basename(args.probe)),
                state_dict={
                    f'cls_head.{k}': v
                    for k, v in head_state.items()
                }), probe_path)
        print(f'{probe_path}: attentive probe, {head["num_classes"]} classes')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main))
