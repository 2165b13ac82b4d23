"""Encode joint and action descriptions into TRG-Net's text priors.

Writes an .npz with ``tjg`` (V x V text joint graph), ``tag`` (C x C text
action graph) and ``action_embeddings`` (C x D), each graph being ``1 -
minmax(pairwise L2)`` of the embeddings. The file records the banks'
``name@version`` and the encoder; an existing file with the same record is
reused (nothing is encoded again), a different one is refused unless
``--force``.

Examples::

    # BERT-base, pooled output (the paper's choice), from a local directory
    python tools/trgnet/build_text_priors.py --joints joints_ntu25 \\
        --actions pku_mmd --encoder hf \\
        --encoder-path data/text_models/bert-base-uncased \\
        --pooling pooler --out data/text_priors/pku_mmd_bert.npz
    # the embedded synthetic data with the offline MiniLM
    python tools/trgnet/build_text_priors.py --joints joints_ntu25 \\
        --actions synthetic12 \\
        --background "no action: the person stands at rest" \\
        --encoder hf --encoder-path data/text_models/all-MiniLM-L6-v2 \\
        --out data/text_priors/synthetic_minilm.npz
"""
import argparse
import os.path as osp

import numpy as np

import mmaction_ext  # noqa: F401
from mmaction.registry import MODELS
from mmaction_ext.text import (TextBank, build_text_priors, prior_cache_key,
                               save_text_priors)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--joints', required=True, help='joint text bank')
    parser.add_argument('--actions', required=True, help='action text bank')
    parser.add_argument(
        '--background',
        help='description of a background class 0 put '
        'before the bank classes')
    parser.add_argument('--encoder', choices=['hf', 'clip'], default='hf')
    parser.add_argument(
        '--encoder-path',
        required=True,
        help='local HF model directory or CLIP weights file')
    parser.add_argument(
        '--pooling', default='mean', choices=['mean', 'cls', 'pooler'])
    parser.add_argument('--out', required=True)
    parser.add_argument('--force', action='store_true')
    return parser.parse_args()


def main():
    args = parse_args()
    joints, actions = TextBank(args.joints), TextBank(args.actions)
    encoder_id = (f'{args.encoder}:{osp.abspath(args.encoder_path)}'
                  f':{args.pooling if args.encoder == "hf" else "eot"}')
    key = prior_cache_key(joints, actions, encoder_id, args.background)
    if osp.isfile(args.out) and not args.force:
        with np.load(args.out, allow_pickle=False) as old:
            if 'meta_key' in old.files and str(old['meta_key']) == key:
                print(f'{args.out} is up to date ({key})')
                return
        raise SystemExit(f'{args.out} exists with other banks/encoder; '
                         'use --force to overwrite it')
    if args.encoder == 'hf':
        cfg = dict(
            type='HFTextEncoder',
            model_path=args.encoder_path,
            pooling=args.pooling,
            frozen=True)
    else:
        cfg = dict(
            type='CLIPTextEncoder', pretrained=args.encoder_path, frozen=True)
    priors = build_text_priors(joints, actions, MODELS.build(cfg),
                               args.background)
    save_text_priors(
        priors,
        args.out,
        key=key,
        encoder=encoder_id,
        joints=joints.key,
        actions=actions.key)
    print(f'{args.out}: TJG {priors["tjg"].shape}, TAG {priors["tag"].shape},'
          f' action embeddings {priors["action_embeddings"].shape} ({key})')


if __name__ == '__main__':
    main()
